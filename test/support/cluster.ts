/**
 * Several Portico instances behind nginx, each a real process, for the many-instances test
 * (test/multi-instance.test.ts) and the script for people (bench/multi-instance.ts).
 * Everything listens on 127.0.0.1 only; nginx runs in the foreground (`daemon off`) with its
 * config, pid, logs and temp files in a temporary directory.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** nginx's path: on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
export function findNginx(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin"];
  return dirs.map((d) => join(d, "nginx")).find((p) => existsSync(p));
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function waitFor(url: string, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: exited with ${child.exitCode}\n${tail(logFile)}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url}: not ready within ${timeoutMs} ms\n${tail(logFile)}`);
}

export interface Instance {
  /** host:port, as nginx's $upstream_addr names it. */
  address: string;
  url: string;
  process: ChildProcess;
  logFile: string;
  /** Sends a signal and waits for the exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts one instance from source (`node --import tsx src/main.ts`: no build needed) and waits
 * for /readyz. `env` is the whole configuration besides HOST and PORT.
 */
async function startInstance(env: Record<string, string>, dir: string, timeoutMs = 60_000): Promise<Instance> {
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const logFile = join(dir, `instance-${port}.log`);
  const log = openSync(logFile, "a");
  const child = spawn(process.execPath, ["--import", "tsx", join(ROOT, "src/main.ts")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", ...env, HOST: "127.0.0.1", PORT: String(port) },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const exited = once(child, "exit").then(() => child.exitCode);
  const url = `http://${address}`;
  try {
    await waitFor(`${url}/readyz`, child, logFile, timeoutMs);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    address,
    url,
    process: child,
    logFile,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface Nginx {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * nginx in front of `upstreams` (host:port), round robin. A refused connection or a 502 is
 * retried on the next instance (safe for a POST: nothing reached the application); an instance
 * that fails is left out for 2 s. Connections to the instances are not kept alive, so an
 * instance that stops never gets a request on a connection it is closing.
 * X-Forwarded-For carries the client address (TRUST_PROXY=loopback on the instances);
 * X-Upstream tells the client which instance(s) answered.
 */
export async function startNginx(upstreams: string[], dir: string): Promise<Nginx> {
  const nginx = findNginx();
  if (!nginx) throw new Error("nginx not found");
  const port = await freePort();
  const home = mkdtempSync(join(dir, "nginx-"));
  for (const sub of ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(home, sub));
  const config = `
daemon off;
worker_processes 1;
${process.getuid?.() === 0 ? "user root;" : ""}
pid ${home}/nginx.pid;
error_log ${home}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${home}/client_body;
  proxy_temp_path ${home}/proxy;
  fastcgi_temp_path ${home}/fastcgi;
  uwsgi_temp_path ${home}/uwsgi;
  scgi_temp_path ${home}/scgi;
  upstream portico {
${upstreams.map((u) => `    server ${u} max_fails=1 fail_timeout=2s;`).join("\n")}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://portico;
      proxy_http_version 1.1;
      proxy_set_header Connection close;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_next_upstream error timeout http_502;
      proxy_next_upstream_tries ${upstreams.length};
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
  const configFile = join(home, "nginx.conf");
  writeFileSync(configFile, config);
  const logFile = join(home, "error.log");
  const child = spawn(nginx, ["-p", home, "-c", configFile, "-e", logFile], { stdio: "ignore" });
  const exited = once(child, "exit");
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(`${url}/healthz`, child, logFile, 10_000);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    url,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGQUIT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface Cluster {
  nginx: Nginx;
  instances: Instance[];
  dir: string;
  stop(): Promise<void>;
}

/** N instances with the same environment (started together: they race on migrations), behind nginx. */
export async function startCluster(options: { instances: number; env: Record<string, string> }): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), "portico-cluster-"));
  const started: Instance[] = [];
  let nginx: Nginx | undefined;
  const stop = async () => {
    await nginx?.stop();
    await Promise.all(started.map((i) => i.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const results = await Promise.allSettled(
      Array.from({ length: options.instances }, () =>
        startInstance({ DATA_DIR: join(dir, "data"), ...options.env }, dir),
      ),
    );
    for (const r of results) if (r.status === "fulfilled") started.push(r.value);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    nginx = await startNginx(
      started.map((i) => i.address),
      dir,
    );
    return { nginx, instances: started, dir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
