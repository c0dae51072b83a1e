import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface HttpLimits {
  /** Time to receive a request's headers (HTTP_HEADERS_TIMEOUT_MS): stops trickled headers. */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included (HTTP_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** How long a kept-alive connection may wait for its next request (HTTP_KEEPALIVE_TIMEOUT_MS). */
  keepAliveTimeoutMs: number;
  /** A socket with no traffic either way for this long is closed (HTTP_IDLE_TIMEOUT_MS). */
  idleTimeoutMs: number;
  /** Connections at once; beyond it new ones are closed at once (HTTP_MAX_CONNECTIONS). */
  maxConnections: number;
}

/**
 * The HTTP server, with limits on what a client may hold open: a connection that sends nothing,
 * or trickles its headers a byte at a time, is closed (Node's defaults wait 60 s for headers,
 * 5 minutes for a request, and forever on an idle socket).
 */
export function createHttpServer(listener: RequestListener, limits: HttpLimits): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node enforces the two timeouts above on this interval (30 s by default).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    },
    listener,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // No 'timeout' listener: Node destroys the idle socket itself.
  server.setTimeout(limits.idleTimeoutMs);
  server.maxConnections = limits.maxConnections;
  return server;
}

/** Listens and resolves with the URL once listening; rejects on an error such as EADDRINUSE. */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  server.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { address, port: bound } = server.address() as AddressInfo;
  return `http://${address.includes(":") ? `[${address}]` : address}:${bound}`;
}
