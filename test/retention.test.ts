import { randomUUID } from "node:crypto";
import { type Kysely, sql } from "kysely";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { pruneExpiredRows, RETENTION_MS } from "../src/db/retention.js";
import type { Schema } from "../src/db/schema.js";
import { createRetentionJob } from "../src/ops/retention-job.js";
import { newUserBody, silentLogger, TEST_ENGINES } from "./helpers.js";
import { usePortico } from "./use-portico.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** Inserts one row with exactly these columns (timestamps included, which the typed builder refuses). */
async function insert(db: Kysely<Schema>, table: string, values: Record<string, unknown>): Promise<string> {
  const columns = Object.keys(values).map((c) => sql.ref(c));
  const row = await sql<{ id: string }>`insert into ${sql.table(table)} (${sql.join(columns)})
    values (${sql.join(Object.values(values))}) returning id`.execute(db);
  return row.rows[0]?.id as string;
}

async function remaining(db: Kysely<Schema>, table: string, ids: string[]): Promise<string[]> {
  const rows = await sql<{ id: string }>`select id from ${sql.table(table)}
    where id in (${sql.join(ids)})`.execute(db);
  return rows.rows.map((r) => r.id).sort();
}

describe.each(TEST_ENGINES)("retention (issue 19, item 14) on $name", (engine) => {
  const portico = usePortico({ engine });
  // The real time: the sessions that registration makes are live by it (a far-future clock would end them).
  const now = new Date();
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const later = (ms: number) => new Date(now.getTime() + ms);

  async function newUser() {
    const res = await request(portico.app).post("/api/v1/auth/register").send(newUserBody());
    return res.body.user.id as string;
  }

  it("keeps rows for the periods docs/RETENTION.md gives", () => {
    expect(RETENTION_MS).toEqual({
      sessions: 30 * DAY,
      one_time_tokens: 7 * DAY,
      mfa_tickets: DAY,
      mail_outbox: 30 * DAY,
      webauthn_challenges: HOUR,
    });
  });

  it("deletes each kind of row past its period and keeps every row within it", async () => {
    const db = portico.database.kysely;
    const user_id = await newUser();
    const session = (expires_at: Date, revoked_at: Date | null) =>
      insert(db, "sessions", { user_id, expires_at, revoked_at });
    const token = (expires_at: Date, consumed_at: Date | null, voided_at: Date | null = null) =>
      insert(db, "one_time_tokens", {
        user_id,
        purpose: "password_reset",
        token_hash: randomUUID(),
        email: "a@example.com",
        created_at: ago(30 * DAY),
        expires_at,
        consumed_at,
        voided_at,
      });
    const ticket = (expires_at: Date, consumed_at: Date | null) =>
      insert(db, "mfa_tickets", { user_id, token_hash: randomUUID(), expires_at, consumed_at });
    const mail = (status: string, created_at: Date, sent_at: Date | null) =>
      insert(db, "mail_outbox", {
        kind: "verify_email",
        recipient: "a@example.com",
        subject: "s",
        status,
        created_at,
        sent_at,
      });
    const challenge = (expires_at: Date) =>
      insert(db, "webauthn_challenges", { purpose: "login", challenge: randomUUID(), expires_at });

    const gone = {
      sessions: [await session(ago(31 * DAY), null), await session(later(DAY), ago(31 * DAY))],
      one_time_tokens: [
        await token(ago(8 * DAY), null),
        await token(later(DAY), ago(8 * DAY)),
        await token(later(DAY), null, ago(8 * DAY)),
      ],
      mfa_tickets: [await ticket(ago(25 * HOUR), null), await ticket(later(HOUR), ago(25 * HOUR))],
      mail_outbox: [await mail("sent", ago(40 * DAY), ago(31 * DAY)), await mail("dead", ago(31 * DAY), null)],
      webauthn_challenges: [await challenge(ago(2 * HOUR))],
    };
    const kept = {
      sessions: [
        await session(ago(29 * DAY), null),
        await session(later(DAY), ago(29 * DAY)),
        await session(later(DAY), null),
      ],
      one_time_tokens: [
        await token(ago(6 * DAY), null),
        await token(later(DAY), ago(6 * DAY)),
        await token(later(DAY), null),
      ],
      mfa_tickets: [await ticket(ago(23 * HOUR), null), await ticket(later(HOUR), null)],
      mail_outbox: [
        await mail("sent", ago(40 * DAY), ago(29 * DAY)),
        await mail("dead", ago(29 * DAY), null),
        await mail("pending", ago(90 * DAY), null),
      ],
      webauthn_challenges: [await challenge(ago(HOUR / 2)), await challenge(later(HOUR))],
    };

    const deleted = await pruneExpiredRows(db, { now });
    for (const [table, ids] of Object.entries(gone)) {
      expect(await remaining(db, table, ids), table).toEqual([]);
      expect(deleted[table as keyof typeof deleted], table).toBeGreaterThanOrEqual(ids.length);
    }
    for (const [table, ids] of Object.entries(kept)) expect(await remaining(db, table, ids), table).toEqual(ids.sort());
    // Nothing left to do: a second run deletes nothing.
    expect(Object.values(await pruneExpiredRows(db, { now })).every((n) => n === 0)).toBe(true);
  });

  it("deletes in batches: a run stops after maxBatches, the next one goes on", async () => {
    const db = portico.database.kysely;
    const user_id = await newUser();
    const ids = [];
    for (let i = 0; i < 7; i++) ids.push(await insert(db, "sessions", { user_id, expires_at: ago(40 * DAY) }));
    expect((await pruneExpiredRows(db, { now, batchSize: 2, maxBatches: 2 })).sessions).toBe(4);
    expect(await remaining(db, "sessions", ids)).toHaveLength(3);
    expect((await pruneExpiredRows(db, { now, batchSize: 2, maxBatches: 2 })).sessions).toBe(3);
    expect(await remaining(db, "sessions", ids)).toEqual([]);
  });

  it("runs on its timer until stopped, and a stopped job runs no more", async () => {
    const db = portico.database.kysely;
    const user_id = await newUser();
    const id = await insert(db, "sessions", { user_id, expires_at: ago(40 * DAY) });
    let runs = 0;
    const job = createRetentionJob({
      database: portico.database,
      logger: silentLogger(),
      firstRunMs: 0,
      intervalMs: 1,
      now: () => {
        runs++;
        return now;
      },
    });
    job.start();
    for (let i = 0; i < 500 && runs < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    await job.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(await remaining(db, "sessions", [id])).toEqual([]);
    const after = runs;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(after);
  });
});
