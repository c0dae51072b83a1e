/**
 * What the many-instances test checks and the script shows: each scenario drives a cluster
 * (test/support/cluster.ts) through nginx and returns what happened, without judging it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Cluster } from "./cluster.js";

const CLUSTER_PASSWORD = "Cluster-pass-7d1e-93ab";

/** A made-up client address (198.18.0.0/15, RFC 2544) per call: each client gets its own rate-limit counters. */
function clientAddress(): string {
  const b = randomBytes(3);
  return `198.${18 + ((b[0] as number) % 2)}.${b[1]}.${b[2]}`;
}

export interface Answer {
  status: number;
  /** Which instance answered, as nginx says ($upstream_addr: "a" or "a, b" after a retry). */
  upstream: string;
  body: Record<string, unknown>;
  retryAfter: string | null;
}

/** One JSON request through nginx, as the client `address`. Network failures become status 0. */
export async function call(
  cluster: Cluster,
  path: string,
  options: { body?: unknown; address?: string; token?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { "x-forwarded-for": options.address ?? clientAddress() };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  try {
    const res = await fetch(`${cluster.nginx.url}${path}`, {
      method: options.body === undefined ? "GET" : "POST",
      headers,
      ...(options.body !== undefined && { body: JSON.stringify(options.body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text: text.slice(0, 200) };
    }
    return {
      status: res.status,
      upstream: res.headers.get("x-upstream") ?? "",
      body,
      retryAfter: res.headers.get("retry-after"),
    };
  } catch (error) {
    return { status: 0, upstream: "", body: { error: String(error) }, retryAfter: null };
  }
}

const countBy = <T>(items: T[], key: (item: T) => string | number) =>
  items.reduce<Record<string, number>>((counts, item) => {
    const k = String(key(item));
    counts[k] = (counts[k] ?? 0) + 1;
    return counts;
  }, {});

const registerBody = (email: string) => ({ email, password: CLUSTER_PASSWORD, firstName: "Ada", lastName: "Lovelace" });

/** `n` registrations of one e-mail at the same moment, from different clients. */
export async function raceSameEmail(cluster: Cluster, n = 50) {
  const email = `race-${randomUUID()}@cluster.example`;
  const answers = await Promise.all(
    Array.from({ length: n }, () => call(cluster, "/api/v1/auth/register", { body: registerBody(email) })),
  );
  return {
    email,
    answers,
    statuses: countBy(answers, (a) => a.status),
    upstreams: countBy(answers, (a) => a.upstream),
  };
}

/**
 * `attempts` registrations (different e-mails) from one client address, 5 at a time, so they
 * spread over the instances. With shared counters exactly `limit` succeed; with counters per
 * instance, up to `limit` per instance would.
 */
export async function registerFromOneAddress(cluster: Cluster, attempts = 40) {
  const address = clientAddress();
  const answers = [];
  for (let i = 0; i < attempts; i += 5) {
    const batch = Array.from({ length: Math.min(5, attempts - i) }, () =>
      call(cluster, "/api/v1/auth/register", { address, body: registerBody(`limit-${randomUUID()}@cluster.example`) }),
    );
    answers.push(...(await Promise.all(batch)));
  }
  return {
    address,
    answers,
    statuses: countBy(answers, (a) => a.status),
    upstreamsOf201: countBy(
      answers.filter((a) => a.status === 201),
      (a) => a.upstream,
    ),
  };
}

/**
 * Logs each user in, 8 at a time: this checks that every user exists, not how much load the
 * survivor takes (all at once, hundreds of logins would overflow its bcrypt queue: 503 OVERLOADED).
 */
async function logInEach(cluster: Cluster, users: { email: string }[]): Promise<Answer[]> {
  const logins: Answer[] = [];
  for (let i = 0; i < users.length; i += 8) {
    const batch = users.slice(i, i + 8);
    logins.push(
      ...(await Promise.all(
        batch.map((a) => call(cluster, "/api/v1/auth/login", { body: { email: a.email, password: CLUSTER_PASSWORD } })),
      )),
    );
  }
  return logins;
}

/**
 * Register load (`concurrency` clients, each a new user per request) through nginx; after
 * `beforeMs` the first instance gets SIGTERM; the load goes on for `afterMs`. Then every user
 * that got a 201 logs in. Records what was in flight when the signal was sent.
 */
export async function sigtermUnderLoad(cluster: Cluster, options = { concurrency: 8, beforeMs: 1500, afterMs: 2500 }) {
  const [victim, ...survivors] = cluster.instances;
  if (!victim || survivors.length === 0) throw new Error("needs at least 2 instances");
  const answers: (Answer & { email: string; sentAt: number; doneAt: number })[] = [];
  let inFlight = 0;
  let inFlightAtSignal = -1;
  let stopAt = Number.POSITIVE_INFINITY;
  const started = Date.now();
  const client = async () => {
    while (Date.now() < stopAt) {
      const email = `term-${randomUUID()}@cluster.example`;
      const sentAt = Date.now() - started;
      inFlight++;
      const answer = await call(cluster, "/api/v1/auth/register", { body: registerBody(email) });
      inFlight--;
      answers.push({ ...answer, email, sentAt, doneAt: Date.now() - started });
    }
  };
  const clients = Array.from({ length: options.concurrency }, client);
  await new Promise((resolve) => setTimeout(resolve, options.beforeMs));
  const signalAt = Date.now() - started;
  inFlightAtSignal = inFlight;
  const exit = victim.stop("SIGTERM");
  stopAt = Date.now() + options.afterMs;
  await Promise.all(clients);
  const victimExitCode = await exit;

  const created = answers.filter((a) => a.status === 201);
  const logins = await logInEach(cluster, created);
  const failures = answers.filter((a) => a.status >= 500 || a.status === 0);
  const survivorAddresses = new Set(survivors.map((s) => s.address));
  return {
    signalAt,
    victimExitCode,
    inFlightAtSignal,
    statuses: countBy(answers, (a) => a.status),
    createdAfterSignal: created.filter((a) => a.sentAt > signalAt).length,
    created: created.length,
    loginStatuses: countBy(logins, (l) => l.status),
    failures,
    /** 5xx (or no answer) given by a survivor alone: there should be none. */
    survivorFailures: failures.filter(
      (f) => f.upstream !== "" && f.upstream.split(", ").every((u) => survivorAddresses.has(u)),
    ),
  };
}
