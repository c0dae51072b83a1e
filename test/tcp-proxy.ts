import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

/**
 * A TCP proxy on 127.0.0.1 for fault tests: the service talks to PostgreSQL or Redis through it,
 * and the test cuts the line and restores it.
 *
 * - `cut()`: every open connection is reset and new ones are refused (a server that died).
 * - `blackhole()`: nothing gets through any more and nobody is told: open connections hang, and new
 *   ones are accepted and then ignored (a host gone without a word: only timeouts can tell).
 * - `restore()`: new connections are forwarded again. Connections that were hanging keep hanging,
 *   as they do after a fail-over to a new server: the client has to notice and drop them.
 */
export interface TcpProxy {
  readonly port: number;
  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string;
  cut(): Promise<void>;
  blackhole(): void;
  restore(): Promise<void>;
  close(): Promise<void>;
}

type Mode = "open" | "cut" | "blackhole";

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: Mode = "open";
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  function track(socket: Socket) {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  }

  /** Connections that forward; a blackhole turns each into a silent one, for good. */
  const orphan = new Set<() => void>();

  function onConnection(client: Socket) {
    track(client);
    client.resume();
    if (mode === "blackhole") return; // accepted, read, never answered
    const upstream = tcpConnect({ host: target.host, port: target.port });
    track(upstream);
    let forwarding = true;
    const silence = () => {
      forwarding = false;
      upstream.removeAllListeners("close");
      upstream.destroy();
    };
    orphan.add(silence);
    client.on("data", (chunk) => {
      if (forwarding) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (forwarding) client.write(chunk);
    });
    client.on("close", () => {
      orphan.delete(silence);
      upstream.destroy();
    });
    upstream.on("close", () => client.destroy());
  }

  async function listen() {
    server = createServer(onConnection);
    await new Promise<void>((resolve, reject) => {
      server?.once("error", reject);
      server?.listen(port, "127.0.0.1", () => resolve());
    });
    const address = server.address();
    if (address && typeof address === "object") port = address.port;
  }

  async function stopListening() {
    const s = server;
    server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  function dropAll() {
    for (const socket of sockets) socket.resetAndDestroy();
    sockets.clear();
  }

  await listen();
  return {
    get port() {
      return port;
    },
    rewrite(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(port);
      return u.toString();
    },
    async cut() {
      mode = "cut";
      const stopped = stopListening();
      dropAll();
      await stopped;
    },
    blackhole() {
      mode = "blackhole";
      for (const silence of orphan) silence();
      orphan.clear();
    },
    async restore() {
      mode = "open";
      if (!server) await listen();
    },
    async close() {
      mode = "cut";
      const stopped = stopListening();
      dropAll();
      await stopped;
    },
  };
}
