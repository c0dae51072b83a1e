import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { newUserBody, tempDir } from "./helpers.js";
import { killStartedServers, type ServerProcess, startServer } from "./support/server-process.js";

afterEach(killStartedServers);

/** Polls /metrics (on the metrics listener) until a bcrypt job runs: then the request is in flight for sure. Bounded. */
async function untilHashing(server: ServerProcess): Promise<void> {
  const url = server.lines.find((line) => line.msg === "portico listening")?.metricsUrl as string;
  for (let attempt = 0; attempt < 200; attempt++) {
    const text = await (await fetch(`${url}/metrics`)).text();
    if (/^portico_bcrypt_active_jobs [1-9]/m.test(text)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("no bcrypt job started");
}

function refusesConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });
}

const register = (url: string, body: object) =>
  fetch(`${url}/api/v1/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("graceful shutdown of the real process", () => {
  it("on SIGTERM stops accepting, finishes the request in flight, exits 0 and frees DATA_DIR for the next process", {
    timeout: 120_000,
  }, async () => {
    const dataDir = tempDir("portico-shutdown-");
    // bcrypt at cost 14 takes about a second: long enough to be caught in flight. The pool's
    // threads run at a lower priority, so on a loaded machine it can take past the default 10 s
    // of SHUTDOWN_TIMEOUT_MS: the wait is set long here, as this test is about finishing the work.
    const first = await startServer({
      DATA_DIR: dataDir,
      BCRYPT_COST: "14",
      HASH_CONCURRENCY: "1",
      SHUTDOWN_TIMEOUT_MS: "60000",
    });
    const user = newUserBody();
    const inFlight = register(first.url, user);
    await untilHashing(first);

    first.child.kill("SIGTERM");
    const { code, signal } = await first.exited;
    expect(await refusesConnections(first.url)).toBe(true);
    const response = await inFlight;
    expect(response.status).toBe(201);
    expect(((await response.json()) as { user: { email: string } }).user.email).toBe(user.email);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    const messages = first.lines.map((l) => l.msg);
    expect(messages).toContain("shutting down");
    expect(messages.at(-1)).toBe("stopped");
    expect(messages).not.toContain("shutdown timeout: closing connections still open");

    // The lock is released and the data kept: the next process opens the same directory.
    const second = await startServer({ DATA_DIR: dataDir, BCRYPT_COST: "4" });
    const login = await fetch(`${second.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(login.status).toBe(200);
    second.child.kill("SIGINT");
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.lines.at(-1)?.msg).toBe("stopped");
  });

  it("gives up on requests still running after SHUTDOWN_TIMEOUT_MS, and still exits", {
    timeout: 120_000,
  }, async () => {
    // Cost 16: a hash of seconds, far beyond the 300 ms allowed. (The process itself ends once
    // the running hash does: Node joins its thread pool on exit. At cost 12 that is ~250 ms.)
    const server = await startServer({
      DATA_DIR: tempDir("portico-shutdown-"),
      BCRYPT_COST: "16",
      HASH_CONCURRENCY: "1",
      SHUTDOWN_TIMEOUT_MS: "300",
    });
    const inFlight = register(server.url, newUserBody()).then(
      (res) => res.status,
      () => "connection closed",
    );
    await untilHashing(server);
    server.child.kill("SIGTERM");
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(await inFlight).toBe("connection closed");
    expect(server.lines.map((l) => l.msg)).toContain("shutdown timeout: closing connections still open");
  });

  it("writes its last log lines in order while libuv's thread pool is busy", { timeout: 120_000 }, async () => {
    // One pool thread, taken by a hash of about a second: the "shutting down" line waits for it,
    // and the lines after it must not be written first.
    const server = await startServer({
      DATA_DIR: tempDir("portico-shutdown-"),
      UV_THREADPOOL_SIZE: "1",
      BCRYPT_COST: "14",
      HASH_CONCURRENCY: "1",
      SHUTDOWN_TIMEOUT_MS: "100",
    });
    const inFlight = register(server.url, newUserBody()).catch(() => "connection closed");
    await untilHashing(server);
    server.child.kill("SIGTERM");
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await inFlight;
    const messages = server.lines.map((l) => l.msg);
    const shuttingDown = messages.indexOf("shutting down");
    expect(shuttingDown).toBeGreaterThan(messages.indexOf("portico listening"));
    expect(messages.indexOf("shutdown timeout: closing connections still open")).toBeGreaterThan(shuttingDown);
    expect(messages.at(-1)).toBe("stopped");
  });
});
