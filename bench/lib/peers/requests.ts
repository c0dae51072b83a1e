/** The requests `npm run bench:peers` sends itself, outside a load run: seeding users, and duplicates. */
import { randomBytes } from "node:crypto";
import { BENCH_PASSWORD } from "../../load-worker.js";
import { APIS, type Running, type TargetId } from "./targets.js";

/** A fresh client address for requests the harness sends itself (seeding, duplicates). */
const someAddress = () => `10.${[...randomBytes(3)].join(".")}`;

async function registerOne(running: Running, id: TargetId, email: string, from = someAddress()): Promise<Response> {
  const { dialect } = APIS[id];
  const names = dialect === "better-auth" ? { name: "Ada Lovelace" } : { firstName: "Ada", lastName: "Lovelace" };
  const path = dialect === "better-auth" ? "/api/auth/sign-up/email" : "/api/v1/auth/register";
  return fetch(`${running.server.url}${path}`, {
    method: "POST",
    // Node's fetch sends Sec-Fetch-Mode, on which better-auth checks the Origin as a browser's.
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": from,
      ...(dialect === "better-auth" && { origin: running.server.url }),
    },
    body: JSON.stringify({ email, password: BENCH_PASSWORD, ...names }),
  });
}

/** Registers `n` users through the API at once; returns their e-mails and first bearer token. */
export async function seed(running: Running, id: TargetId, n: number): Promise<{ emails: string[]; token: string }> {
  const emails = Array.from({ length: n }, () => `login-${randomBytes(6).toString("hex")}@bench.example`);
  const answers = await Promise.all(emails.map((email) => registerOne(running, id, email)));
  const first = answers[0] as Response;
  for (const res of answers) {
    if (res.status !== APIS[id].registerStatus)
      throw new Error(`${id}: seeding answered ${res.status} ${await res.text()}`);
  }
  const bodies = (await Promise.all(answers.map((res) => res.json()))) as { token: string }[];
  return { emails, token: first.headers.get("set-auth-token") ?? (bodies[0]?.token as string) };
}

/**
 * Reads a counter until it has not moved for 1 s (a cost-12 hash takes ~0.2 s; work that a load
 * run left queued is still finishing), at most 30 s.
 */
async function steady(read: () => Promise<number>): Promise<number> {
  let last = await read();
  let still = 0;
  for (let i = 0; i < 150 && still < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await read();
    still = now === last ? still + 1 : 0;
    last = now;
  }
  return last;
}

/** 8 simultaneous registrations of one new e-mail from one client: the bcrypt hashes they cost. */
export async function duplicates(
  running: Running,
  id: TargetId,
): Promise<{ statuses: Record<string, number>; hashes: number }> {
  const before = await steady(running.hashes);
  const email = `dup-${randomBytes(6).toString("hex")}@bench.example`;
  const from = someAddress();
  const answers = await Promise.all(Array.from({ length: 8 }, () => registerOne(running, id, email, from)));
  const statuses: Record<string, number> = {};
  for (const res of answers) {
    statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    await res.arrayBuffer();
  }
  return { statuses, hashes: (await steady(running.hashes)) - before };
}
