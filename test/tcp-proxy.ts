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

function track(sockets: Set<Socket>, socket: Socket) {
  sockets.add(socket);
  socket.on("close", () => sockets.delete(socket));
  socket.on("error", () => socket.destroy());
}

/** Forwards both ways; `silent` gets the switch that silences the pair for good (a blackhole). */
function pipe(client: Socket, upstream: Socket, silent: Set<() => void>) {
  let forwarding = true;
  const silence = () => {
    forwarding = false;
    upstream.removeAllListeners("close");
    upstream.destroy();
  };
  silent.add(silence);
  client.on("data", (chunk) => {
    if (forwarding) upstream.write(chunk);
  });
  upstream.on("data", (chunk) => {
    if (forwarding) client.write(chunk);
  });
  client.on("close", () => {
    silent.delete(silence);
    upstream.destroy();
  });
  upstream.on("close", () => client.destroy());
}

interface ProxyState {
  target: { host: string; port: number };
  mode: Mode;
  sockets: Set<Socket>;
  /** Connections that forward; a blackhole turns each into a silent one, for good. */
  silent: Set<() => void>;
  server: Server | undefined;
  port: number;
}

function onConnection(state: ProxyState, client: Socket) {
  track(state.sockets, client);
  client.resume();
  if (state.mode === "blackhole") return; // accepted, read, never answered
  const upstream = tcpConnect({ host: state.target.host, port: state.target.port });
  track(state.sockets, upstream);
  pipe(client, upstream, state.silent);
}

async function listen(state: ProxyState) {
  const server = createServer((client) => onConnection(state, client));
  state.server = server;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(state.port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address && typeof address === "object") state.port = address.port;
}

/** Stops listening and resets every open connection: a server that died. */
async function cutAll(state: ProxyState) {
  state.mode = "cut";
  const server = state.server;
  state.server = undefined;
  const stopped = server && new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of state.sockets) socket.resetAndDestroy();
  state.sockets.clear();
  await stopped;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const state: ProxyState = { target, mode: "open", sockets: new Set(), silent: new Set(), server: undefined, port: 0 };
  await listen(state);
  return {
    get port() {
      return state.port;
    },
    rewrite(url) {
      const u = new URL(url);
      u.hostname = "127.0.0.1";
      u.port = String(state.port);
      return u.toString();
    },
    cut: () => cutAll(state),
    blackhole() {
      state.mode = "blackhole";
      for (const silence of state.silent) silence();
      state.silent.clear();
    },
    async restore() {
      state.mode = "open";
      if (!state.server) await listen(state);
    },
    close: () => cutAll(state),
  };
}
