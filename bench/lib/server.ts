import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";

/** A free loopback port (asked of the kernel, then released). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServerProcess {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  startupMs: number;
  /** The process's CPU time so far (user + system), in seconds. */
  cpuSeconds(): number;
  /** Resident memory now, in MiB. */
  rssMiB(): number;
  /** The most resident memory the process has had so far (VmHWM), in MiB. */
  hwmMiB(): number;
  stop(): Promise<void>;
}

const CLOCK_TICKS = 100;

/** utime + stime of a process from /proc, in seconds (0 when it is gone). */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/** CPU seconds of every process named `name` (e.g. the PostgreSQL server's backends). */
export function cpuSecondsOf(name: string): number {
  let total = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) === name) total += processCpuSeconds(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

function rssOf(pid: number, field = "VmRSS"): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function waitReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`server not ready within ${timeoutMs} ms`);
}

/**
 * Starts `node dist/main.js` (built by `npm run build:server`) as its own process with the given
 * environment, and waits for /readyz. Its output goes to `logFile`, not through this process.
 */
export async function startServer(options: {
  env: Record<string, string>;
  logFile: string;
  cwd: string;
  /** Node arguments; default: the built service. */
  args?: string[];
  timeoutMs?: number;
}): Promise<ServerProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = openSync(options.logFile, "a");
  const started = performance.now();
  const child = spawn(process.execPath, options.args ?? [join(options.cwd, "dist/main.js")], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: String(port), ...options.env },
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  const exited = once(child, "exit");
  try {
    await waitReady(url, child, options.timeoutMs ?? 120_000);
  } catch (error) {
    child.kill("SIGKILL");
    const tail = readFileSync(options.logFile, "utf8").split("\n").slice(-15).join("\n");
    throw new Error(`${(error as Error).message}; server log:\n${tail}`);
  }
  const startupMs = performance.now() - started;
  const pid = child.pid as number;
  return {
    url,
    pid,
    startupMs,
    cpuSeconds: () => processCpuSeconds(pid),
    rssMiB: () => rssOf(pid),
    hwmMiB: () => rssOf(pid, "VmHWM"),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Waits until a process is idle (under 5% of a core over 250 ms), at most `maxMs`. Between two
 * runs this lets the server finish work the last run left queued (requests abandoned at the end
 * of a run still get their bcrypt hash), which would otherwise slow the next run down.
 */
export async function settle(pid: number, maxMs = 30_000): Promise<number> {
  const started = performance.now();
  let last = processCpuSeconds(pid);
  while (performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = processCpuSeconds(pid);
    if (now - last < 0.0125) break;
    last = now;
  }
  return performance.now() - started;
}

/** Samples a value every `everyMs` until stopped; returns the largest seen. */
export function sampleMax(read: () => number, everyMs = 200): { stop(): number } {
  let max = read();
  const timer = setInterval(() => {
    max = Math.max(max, read());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(max, read());
    },
  };
}
