import type { IncomingMessage } from "node:http";
import { isIPv4 } from "node:net";

/**
 * Whether a request comes from this machine, by the socket and the Host header only: never by
 * X-Forwarded-For, which any client writes. For what must not leave the machine (the development
 * mailbox lists live reset links).
 */

/** 127.0.0.0/8 and ::1, also as an IPv4-mapped IPv6 address (::ffff:127.0.0.1). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
  if (isIPv4(v4)) return v4.startsWith("127.");
  return address === "::1" || address === "0:0:0:0:0:0:0:1";
}

/** A HOST setting that listens on loopback only: localhost, 127.x.x.x, ::1. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1");
  return bare.toLowerCase() === "localhost" || isLoopbackAddress(bare);
}

/**
 * localhost, 127.0.0.1 or [::1], with any port. Anything else (a public name, a name that only
 * resolves to 127.0.0.1: DNS rebinding) is a page of another site reading through the browser.
 */
const LOOPBACK_HOST_HEADER = /^(?:localhost|127\.0\.0\.1|\[::1\])(?::\d{1,5})?$/i;

/** Headers a proxy adds: a loopback peer that sends one relays someone else's request. */
const FORWARDING_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip"];

/** A loopback peer, asking for a loopback Host, relayed by no proxy. */
export function isLocalRequest(req: Pick<IncomingMessage, "socket" | "headers">): boolean {
  return (
    isLoopbackAddress(req.socket.remoteAddress) &&
    LOOPBACK_HOST_HEADER.test(req.headers.host ?? "") &&
    FORWARDING_HEADERS.every((name) => req.headers[name] === undefined)
  );
}
