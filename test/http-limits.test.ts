import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningPortico, startPortico } from "../src/portico.js";
import { silentLogger, testConfig } from "./helpers.js";

const LIMITS = {
  HTTP_HEADERS_TIMEOUT_MS: "500",
  HTTP_REQUEST_TIMEOUT_MS: "1000",
  HTTP_KEEPALIVE_TIMEOUT_MS: "300",
  HTTP_IDLE_TIMEOUT_MS: "800",
  HTTP_MAX_CONNECTIONS: "4",
};
/** How long past a configured time the server may take (Node checks timeouts on an interval). */
const SLACK_MS = 1000;

let portico: RunningPortico;
beforeAll(async () => {
  portico = await startPortico(testConfig({ PORT: "0", HOST: "127.0.0.1", ...LIMITS }), silentLogger());
});
afterAll(() => portico?.shutdown());

interface Probe {
  socket: Socket;
  /** Resolves with ms from connect until the server closed the socket, or "still open" after `withinMs`. */
  closedWithin(withinMs: number): Promise<number | "still open">;
  received(): string;
}

async function open(): Promise<Probe> {
  const { port } = new URL(portico.url);
  const socket = connect({ host: "127.0.0.1", port: Number(port) });
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const openedAt = performance.now();
  let data = "";
  socket.on("data", (chunk) => {
    data += chunk;
  });
  socket.on("error", () => {}); // ECONNRESET when the server drops it
  const closed = new Promise<number>((resolve) => socket.once("close", () => resolve(performance.now() - openedAt)));
  return {
    socket,
    closedWithin: (withinMs) =>
      Promise.race([closed, new Promise<"still open">((r) => setTimeout(() => r("still open"), withinMs))]),
    received: () => data,
  };
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function trickle(socket: Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++] as string);
  }, everyMs);
}

describe("slow, silent and idle connections (HTTP_* limits)", () => {
  it("applies the configured limits to the listening server", () => {
    const { server } = portico;
    expect([server.headersTimeout, server.requestTimeout, server.keepAliveTimeout, server.timeout]).toEqual([
      500, 1000, 300, 800,
    ]);
    expect(server.maxConnections).toBe(4);
  });

  it("closes a connection that sends nothing", async () => {
    const probe = await open();
    const ms = await probe.closedWithin(800 + SLACK_MS);
    expect(ms).not.toBe("still open");
  });

  it("closes a connection that trickles its headers (slowloris) after HTTP_HEADERS_TIMEOUT_MS", async () => {
    const probe = await open();
    // A byte every 100 ms: never idle for 800 ms, so only the headers timeout can end it.
    trickle(probe.socket, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${"x".repeat(200)}`, 100);
    const ms = await probe.closedWithin(500 + SLACK_MS);
    expect(ms).not.toBe("still open");
    expect(probe.received()).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("closes a connection that trickles its body after HTTP_REQUEST_TIMEOUT_MS", async () => {
    const probe = await open();
    probe.socket.write(
      "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n",
    );
    trickle(probe.socket, " ".repeat(200), 100);
    const ms = await probe.closedWithin(1000 + SLACK_MS);
    expect(ms).not.toBe("still open");
  });

  it("closes a kept-alive connection HTTP_KEEPALIVE_TIMEOUT_MS after its last response", async () => {
    const probe = await open();
    probe.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
    // Node closes a second after the "Keep-Alive: timeout" it announced, so clients never race it.
    const ms = await probe.closedWithin(300 + 1000 + SLACK_MS);
    expect(ms).not.toBe("still open");
    expect(probe.received()).toMatch(/^HTTP\/1\.1 200 /);
  });

  it("drops connections beyond HTTP_MAX_CONNECTIONS at once and keeps the others", async () => {
    const held = await Promise.all([open(), open(), open(), open()]);
    const extra = await open();
    expect(await extra.closedWithin(200)).not.toBe("still open");
    for (const probe of held) expect(probe.socket.destroyed).toBe(false);
    for (const probe of held) probe.socket.destroy();
  });
});
