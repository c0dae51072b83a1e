/**
 * The load generator, run in its own process (forked by bench/lib/load.ts) so that its CPU is
 * never the server's. It receives one job over IPC, runs it, answers with a summary and exits.
 *
 *  - "http": autocannon against the server. Every response is recorded with its status, so an
 *    error is never counted as throughput; only the expected status counts as "ok". A register
 *    request carries a new e-mail every time (autocannon calls setupRequest per request).
 *  - "http" with a rate: a steady probe, one GET every 1/rate s whatever the answers take (open
 *    loop: a slow answer does not delay the next request, so it cannot hide a stall).
 *  - "hash": the physical limit: bcrypt through the service's own hasher, at its parallelism.
 */
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import autocannon from "autocannon";
import { createPasswordHasher } from "../src/users/passwords.js";
import type { HttpJob, LoadJob, LoadResult } from "./lib/load.js";
import { completionRate, percentile } from "./lib/stats.js";

export const BENCH_PASSWORD = "Bench-pass-4f9c-e21a";

interface Sample {
  doneAt: number;
  ms: number;
  ok: boolean;
}

function summarize(job: LoadJob, samples: Sample[], statusCounts: Record<string, number>, extra: Partial<LoadResult>) {
  const start = job.warmupS;
  const end = job.warmupS + job.durationS;
  const inWindow = samples.filter((s) => s.ok && s.doneAt >= start && s.doneAt <= end);
  const ms = inWindow.map((s) => s.ms);
  const result: LoadResult = {
    statusCounts,
    errors: 0,
    timeouts: 0,
    total: samples.length,
    okInWindow: inWindow.length,
    okRate: completionRate(
      inWindow.map((s) => s.doneAt),
      job.durationS,
    ),
    p50: percentile(ms, 50),
    p90: percentile(ms, 90),
    p99: percentile(ms, 99),
    max: percentile(ms, 100),
    ...extra,
  };
  return result;
}

const PATHS = {
  portico: { register: "/api/v1/auth/register", login: "/api/v1/auth/login" },
  "better-auth": { register: "/api/auth/sign-up/email", login: "/api/auth/sign-in/email" },
} as const;

type Body = "account" | "credentials" | "email";

/** A request's JSON body in the job's dialect (Portico's register and login take the same body). */
function bodyFor(job: HttpJob, email: string | undefined, body: Body): string {
  if (body === "email") return JSON.stringify({ email });
  if (job.dialect !== "better-auth")
    return JSON.stringify({ email, password: BENCH_PASSWORD, firstName: "Ada", lastName: "Lovelace" });
  if (body === "credentials") return JSON.stringify({ email, password: BENCH_PASSWORD });
  return JSON.stringify({ email, password: BENCH_PASSWORD, name: "Ada Lovelace" });
}

/** A new client address per request (10.0.0.0/8 from a random start), when the job asks for it. */
function addresses(job: HttpJob): () => Record<string, string> {
  if (!job.spreadAddresses) return () => ({});
  let n = randomBytes(3).readUIntBE(0, 3);
  return () => {
    n = (n + 1) % 2 ** 24;
    return { "x-forwarded-for": `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}` };
  };
}

function requestFor(job: HttpJob): autocannon.Request {
  const tag = `${process.pid.toString(36)}${randomBytes(3).toString("hex")}`;
  let n = 0;
  const json = { "content-type": "application/json" };
  const from = addresses(job);
  const paths = PATHS[job.dialect ?? "portico"];
  const s = job.scenario;
  const post = (path: string, email: () => string | undefined, body: Body): autocannon.Request => ({
    method: "POST",
    path,
    headers: json,
    setupRequest: (req) => ({
      ...req,
      headers: { ...json, ...from() },
      body: bodyFor(job, email(), body),
    }),
  });
  switch (s.type) {
    case "register":
      return post(paths.register, () => `r${tag}-${n++}@bench.example`, "account");
    case "duplicate":
      return post(paths.register, () => s.emails[n++ % s.emails.length], "account");
    case "login":
      return post(paths.login, () => s.emails[n++ % s.emails.length], "credentials");
    case "get": {
      const auth = s.token ? { authorization: `Bearer ${s.token}` } : {};
      if (!job.spreadAddresses) return { method: "GET", path: s.path, headers: auth };
      return {
        method: "GET",
        path: s.path,
        headers: auth,
        setupRequest: (req) => ({ ...req, headers: { ...auth, ...from() } }),
      };
    }
    case "forgot":
      return post("/api/v1/auth/password/forgot", () => s.emails[n++ % s.emails.length], "email");
  }
}

async function runProbe(job: HttpJob): Promise<LoadResult> {
  const s = job.scenario;
  if (s.type !== "get" || job.rate === undefined) throw new Error("a probe is a GET with a rate");
  const samples: Sample[] = [];
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
  const url = new URL(s.path, job.url);
  const headers = s.token ? { authorization: `Bearer ${s.token}` } : {};
  const started = performance.now();
  const endAt = started + (job.warmupS + job.durationS) * 1000;
  const pending = new Set<Promise<void>>();
  const fire = () => {
    const sent = performance.now();
    const done = new Promise<void>((resolve) => {
      const req = request(url, { agent, headers, timeout: job.timeoutS * 1000 }, (res) => {
        res.resume();
        res.on("end", () => {
          const now = performance.now();
          const status = res.statusCode ?? 0;
          statusCounts[status] = (statusCounts[status] ?? 0) + 1;
          const at = job.windowBySend ? sent : now;
          samples.push({ doneAt: (at - started) / 1000, ms: now - sent, ok: status === job.expectStatus });
          resolve();
        });
      });
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end();
    });
    pending.add(done);
    done.finally(() => pending.delete(done));
  };
  // Each request is due at started + i/rate: timers that fire late catch up instead of drifting.
  for (let i = 0; ; i++) {
    const due = started + (i * 1000) / job.rate;
    if (due >= endAt) break;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    fire();
  }
  await Promise.all(pending);
  agent.destroy();
  return summarize(job, samples, statusCounts, { errors, timeouts: 0 });
}

async function runHttp(job: HttpJob): Promise<LoadResult> {
  if (job.rate !== undefined) return runProbe(job);
  const samples: Sample[] = [];
  const statusCounts: Record<string, number> = {};
  const started = performance.now();
  const options: autocannon.Options = {
    url: job.url,
    connections: job.connections,
    duration: job.warmupS + job.durationS,
    timeout: job.timeoutS,
    requests: [requestFor(job)],
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(options, (error, done) => (error ? reject(error) : resolve(done)));
    instance.on("response", (_client, statusCode, _bytes, responseTime) => {
      statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
      samples.push({
        doneAt: (performance.now() - started) / 1000,
        ms: responseTime,
        ok: statusCode === job.expectStatus,
      });
    });
  });
  return summarize(job, samples, statusCounts, { errors: result.errors, timeouts: result.timeouts });
}

async function runHash(job: Extract<LoadJob, { kind: "hash" }>): Promise<LoadResult> {
  const hasher = createPasswordHasher({ cost: job.cost, concurrency: job.parallelism, queueMax: 1_000 });
  const samples: Sample[] = [];
  const started = performance.now();
  const endAt = started + (job.warmupS + job.durationS) * 1000;
  // Twice the parallelism in flight, so a hashing thread never waits for the next job.
  const lane = async () => {
    while (performance.now() < endAt) {
      const t = performance.now();
      await hasher.hashPassword(BENCH_PASSWORD);
      const now = performance.now();
      samples.push({ doneAt: (now - started) / 1000, ms: now - t, ok: true });
    }
  };
  await Promise.all(Array.from({ length: job.parallelism * 2 }, lane));
  return summarize(job, samples, { hash: samples.length }, {});
}

process.on("message", (job: LoadJob) => {
  const run = job.kind === "hash" ? runHash(job) : runHttp(job);
  run.then(
    (result) => process.send?.({ result }, () => process.exit(0)),
    (error: unknown) => process.send?.({ error: String(error) }, () => process.exit(1)),
  );
});
process.send?.({ ready: true });
