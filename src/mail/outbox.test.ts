import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ENGINES } from "../../test/helpers.js";
import { type Database, migrateToLatest } from "../db/index.js";
import {
  claimDueMails,
  enqueueMail,
  listMailbox,
  type MailRow,
  markMailDead,
  markMailSent,
  readOutboxStats,
  scheduleMailRetry,
} from "./outbox.js";
import { insertUser, testMail } from "./test-support.js";

const LEASE_MS = 60_000;

describe.each(TEST_ENGINES)("mail outbox on $name", (engine) => {
  let database: Database;
  const rowsTo = (to: string) =>
    database.kysely.selectFrom("mail_outbox").selectAll().where("recipient", "=", to).execute();
  const rowTo = async (to: string): Promise<MailRow | undefined> => (await rowsTo(to))[0];
  /** Claims until the given mail is among the claimed (other tests' due rows may come first). */
  async function claim(to: string, at?: Date): Promise<MailRow | undefined> {
    const rows = await claimDueMails(database.kysely, { limit: 1000, leaseMs: LEASE_MS, ...(at && { at }) });
    return rows.find((r) => r.recipient === to);
  }

  beforeAll(async () => {
    database = await engine.open();
    await migrateToLatest(database.kysely);
  });
  afterAll(() => database?.close());

  it("queues a pending mail with both parts, due now", async () => {
    const mail = testMail();
    await enqueueMail(database.kysely, mail);
    const row = await rowTo(mail.to);
    expect(row).toMatchObject({ kind: "verify_email", status: "pending", attempts: 0, subject: mail.subject });
    expect(row?.text_body).toContain(mail.link);
    expect(row?.html_body).toContain(mail.link);
    expect(row?.next_attempt_at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it("keeps nothing of a mail queued in a transaction that rolled back", async () => {
    const kept = testMail();
    const dropped = testMail();
    await database.kysely.transaction().execute((trx) => enqueueMail(trx, kept));
    const failure = await database.kysely
      .transaction()
      .execute(async (trx) => {
        await enqueueMail(trx, dropped);
        throw new Error("the change failed");
      })
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(await rowsTo(kept.to)).toHaveLength(1);
    expect(await rowsTo(dropped.to)).toHaveLength(0);
  });

  it("drops a user's queued mails with the user, but keeps the account-deleted notice", async () => {
    const userId = await insertUser(database.kysely);
    const queued = testMail({ userId });
    const notice = testMail({ kind: "account_deleted", userId });
    await database.kysely.transaction().execute(async (trx) => {
      await enqueueMail(trx, queued);
      await enqueueMail(trx, notice);
      await trx.deleteFrom("users").where("id", "=", userId).execute();
    });
    expect(await rowsTo(queued.to)).toHaveLength(0);
    expect(await rowTo(notice.to)).toMatchObject({ user_id: null, kind: "account_deleted" });
  });

  it("claims a due mail once, and again only when the claimer's lease has run out", async () => {
    const mail = testMail();
    await enqueueMail(database.kysely, mail);
    const claimed = await claim(mail.to);
    expect(claimed?.attempts).toBe(1);
    expect(claimed?.next_attempt_at.getTime()).toBeGreaterThan(Date.now() + LEASE_MS - 5000);
    expect(await claim(mail.to)).toBeUndefined();
    const afterLease = new Date(Date.now() + LEASE_MS + 5000);
    expect((await claim(mail.to, afterLease))?.attempts).toBe(2);
  });

  it("never gives one row to two claimers at once", async () => {
    const mails = Array.from({ length: 20 }, () => testMail());
    for (const mail of mails) await enqueueMail(database.kysely, mail);
    const claimed: MailRow[] = [];
    for (let round = 0; round < 20; round++) {
      const claims = await Promise.all(
        Array.from({ length: 4 }, () => claimDueMails(database.kysely, { limit: 3, leaseMs: LEASE_MS })),
      );
      if (claims.flat().length === 0) break;
      claimed.push(...claims.flat());
    }
    expect(new Set(claimed.map((r) => r.id)).size).toBe(claimed.length);
    const ours = new Set(mails.map((m) => m.to));
    expect(claimed.filter((r) => ours.has(r.recipient))).toHaveLength(20);
  });

  it("takes a retried mail again only when its time comes", async () => {
    const mail = testMail();
    await enqueueMail(database.kysely, mail);
    const row = await claim(mail.to);
    await scheduleMailRetry(database.kysely, row?.id as string, { delayMs: 30_000, error: "SMTP 451 EMESSAGE" });
    expect(await claim(mail.to)).toBeUndefined();
    expect((await claim(mail.to, new Date(Date.now() + 31_000)))?.last_error).toBe("SMTP 451 EMESSAGE");
  });

  it("wipes the body of a sent mail, unless it is the development mailbox's", async () => {
    const [wiped, kept] = [testMail(), testMail()];
    for (const mail of [wiped, kept]) {
      await enqueueMail(database.kysely, mail);
      await markMailSent(database.kysely, (await claim(mail.to))?.id as string, { keepBody: mail === kept });
    }
    expect(await rowTo(wiped.to)).toMatchObject({ status: "sent", text_body: null, html_body: null });
    expect((await rowTo(wiped.to))?.sent_at).toBeInstanceOf(Date);
    expect(await rowTo(kept.to)).toMatchObject({ status: "sent", text_body: kept.text, html_body: kept.html });
  });

  it("wipes the body of a dead mail once its link has expired, and not before", async () => {
    const expired = testMail({ linkExpiresAt: new Date(Date.now() - 1000) });
    const live = testMail({ linkExpiresAt: new Date(Date.now() + 3_600_000) });
    for (const mail of [expired, live]) {
      await enqueueMail(database.kysely, mail);
      await markMailDead(database.kysely, (await claim(mail.to))?.id as string, { error: "SMTP 550 EENVELOPE" });
    }
    expect(await rowTo(expired.to)).toMatchObject({
      status: "dead",
      text_body: null,
      last_error: "SMTP 550 EENVELOPE",
    });
    expect(await rowTo(live.to)).toMatchObject({ status: "dead", text_body: live.text });
    expect(await claim(live.to, new Date(Date.now() + 86_400_000))).toBeUndefined();
  });

  it("reports the outbox depth and the age of the oldest pending mail", async () => {
    const before = await readOutboxStats(database.kysely);
    await enqueueMail(database.kysely, testMail());
    await enqueueMail(database.kysely, testMail());
    const after = await readOutboxStats(database.kysely, new Date(Date.now() + 3_600_000));
    expect(after.depth).toBe(before.depth + 2);
    expect(after.oldestPendingSeconds).toBeGreaterThanOrEqual(3590);
  });

  it("lists the mailbox newest first, at most 50", async () => {
    const mails = Array.from({ length: 3 }, () => testMail());
    for (const mail of mails) await enqueueMail(database.kysely, mail);
    const listed = await listMailbox(database.kysely);
    expect(listed.slice(0, 3).map((r) => r.recipient)).toEqual(mails.map((m) => m.to).reverse());
    for (let i = 0; i < 50; i++) await enqueueMail(database.kysely, testMail());
    expect(await listMailbox(database.kysely)).toHaveLength(50);
  });
});
