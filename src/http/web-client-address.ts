import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { isIP } from "node:net";
import type { RequestHandler } from "express";

/** Sent by the web client on its calls to the API of its own process: `<address> <mac>`. */
const WEB_CLIENT_HEADER = "x-portico-client";

export interface WebClientAddress {
  /** The header value that hands the API the browser's address. */
  sign(address: string): string;
  /**
   * First in the API's middleware: a header with a valid MAC makes `req.ip` the browser's address,
   * whatever HOST and TRUST_PROXY are; the header is removed either way.
   */
  readonly middleware: RequestHandler;
}

/**
 * The web client and the API of one process share a random key that never leaves the process,
 * so no browser (or anyone else) can forge the address: SPEC §1's per-address limits count each
 * browser apart, not the web client's own loopback address.
 */
export function createWebClientAddress(key: Buffer = randomBytes(32)): WebClientAddress {
  const mac = (address: string) => createHmac("sha256", key).update(address).digest();
  function verified(value: string): string | undefined {
    const [address, given, ...rest] = value.split(" ");
    if (!address || !given || rest.length > 0 || isIP(address) === 0) return undefined;
    const expected = mac(address);
    const actual = Buffer.from(given, "base64url");
    return actual.length === expected.length && timingSafeEqual(actual, expected) ? address : undefined;
  }
  return {
    sign: (address) => `${address} ${mac(address).toString("base64url")}`,
    middleware(req, _res, next) {
      const value = req.get(WEB_CLIENT_HEADER);
      if (value === undefined) return next();
      delete req.headers[WEB_CLIENT_HEADER];
      const address = verified(value);
      if (address) Object.defineProperty(req, "ip", { value: address, configurable: true, enumerable: true });
      next();
    },
  };
}
