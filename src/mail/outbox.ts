import { type Kysely, type RawBuilder, type Selectable, sql, type Transaction } from "kysely";
import { NEW_USER, type NewUserRow } from "../db/new-user-rows.js";
import type { MailOutboxTable, Schema } from "../db/schema.js";

export const MAIL_KINDS = [
  "verify_email",
  "password_reset",
  "password_changed",
  "email_change",
  "email_changed_notice",
  "account_deleted",
  "mfa_enabled",
  "mfa_disabled",
  "passkey_added",
  "passkey_removed",
] as const;

export type MailKind = (typeof MAIL_KINDS)[number];

/** A mail as a feature hands it over; `text` and `html` come from src/mail/templates.ts. */
export interface OutgoingMail {
  kind: MailKind;
  to: string;
  /** The account the mail is about: its queued mails go when it is deleted. */
  userId: string | null;
  subject: string;
  text: string;
  html: string;
  /** When the link in the body stops working: a dead mail keeps its body only until then. */
  linkExpiresAt?: Date | null;
  /** Not before this many ms after the commit (default: at once). */
  dueInMs?: number;
}

/** One outbox row as stored. */
export type MailRow = Selectable<MailOutboxTable>;

/** A database clock (the default: one judge for every instance) or a given instant (tests). */
function clock(at: Date | undefined): RawBuilder<Date> {
  return at ? sql<Date>`${at}::timestamptz` : sql<Date>`now()`;
}

function plus(at: Date | undefined, ms: number): RawBuilder<Date> {
  return sql<Date>`${clock(at)} + make_interval(secs => ${ms / 1000})`;
}

/**
 * Queues a mail. Pass the transaction of the change that causes it, so the mail commits or rolls
 * back with that change; nothing is sent until it commits (then call the worker's `kick()`).
 */
/** A mail to a new user, in the sign-up's one statement (src/db/new-user-rows.ts). */
export function mailForNewUser(mail: Omit<OutgoingMail, "userId">): NewUserRow {
  return sql`insert into mail_outbox (kind, recipient, user_id, subject, text_body, html_body, link_expires_at)
    select ${mail.kind}, ${mail.to}, id, ${mail.subject}, ${mail.text}, ${mail.html}, ${mail.linkExpiresAt ?? null}
    from ${NEW_USER}`;
}

export async function enqueueMail(executor: Kysely<Schema> | Transaction<Schema>, mail: OutgoingMail): Promise<void> {
  await executor
    .insertInto("mail_outbox")
    .values({
      kind: mail.kind,
      recipient: mail.to,
      // The notice that an account was deleted outlives the account (ON DELETE CASCADE would drop it).
      user_id: mail.kind === "account_deleted" ? null : mail.userId,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html,
      link_expires_at: mail.linkExpiresAt ?? null,
      ...(mail.dueInMs && { next_attempt_at: plus(undefined, mail.dueInMs) }),
    })
    .execute();
}

/**
 * Claims up to `limit` due mails for one worker: a single statement (its own short transaction)
 * that locks them with FOR UPDATE SKIP LOCKED, so concurrent claimers never get the same row, and
 * pushes their next attempt `leaseMs` ahead, so a claimer that dies mid-send leaves them to be
 * claimed again once the lease is over. Each claim counts as an attempt. Send outside of it.
 */
export async function claimDueMails(
  db: Kysely<Schema>,
  options: { limit: number; leaseMs: number; at?: Date },
): Promise<MailRow[]> {
  return db
    .updateTable("mail_outbox")
    .set((eb) => ({ next_attempt_at: plus(options.at, options.leaseMs), attempts: eb("attempts", "+", 1) }))
    .where("id", "in", (eb) =>
      eb
        .selectFrom("mail_outbox")
        .select("id")
        .where("status", "=", "pending")
        .where("next_attempt_at", "<=", clock(options.at))
        .orderBy("next_attempt_at")
        .limit(options.limit)
        .forUpdate()
        .skipLocked(),
    )
    .where("status", "=", "pending")
    .returningAll()
    .execute();
}

/**
 * Marks a mail delivered and wipes its body (it held a live link), unless `keepBody`: the
 * development mailbox is the row itself, and shows the body.
 */
/** Marks mails sent (one statement for a worker's whole batch); a row no longer pending is left alone. */
export async function markMailSent(
  db: Kysely<Schema>,
  ids: string | readonly string[],
  options: { keepBody: boolean; at?: Date },
) {
  const list = typeof ids === "string" ? [ids] : ids;
  if (list.length === 0) return;
  await db
    .updateTable("mail_outbox")
    .set({ status: "sent", sent_at: clock(options.at), last_error: null })
    .$if(!options.keepBody, (qb) => qb.set({ text_body: null, html_body: null }))
    .where("id", "in", list)
    .where("status", "=", "pending")
    .execute();
}

/** Puts a mail back in the queue after a transient failure; `error` must hold no secret. */
export async function scheduleMailRetry(
  db: Kysely<Schema>,
  id: string,
  options: { delayMs: number; error: string; at?: Date },
) {
  await db
    .updateTable("mail_outbox")
    .set({ next_attempt_at: plus(options.at, options.delayMs), last_error: options.error })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .execute();
}

/**
 * Gives a mail up. Its body stays while its link could still work (so it can be queued again by
 * hand), and is wiped when the link has expired or there is none worth keeping for.
 */
export async function markMailDead(db: Kysely<Schema>, id: string, options: { error: string; at?: Date }) {
  const expired = sql<boolean>`link_expires_at is not null and link_expires_at <= ${clock(options.at)}`;
  await db
    .updateTable("mail_outbox")
    .set({
      status: "dead",
      last_error: options.error,
      text_body: sql`case when ${expired} then null else text_body end`,
      html_body: sql`case when ${expired} then null else html_body end`,
    })
    .where("id", "=", id)
    .where("status", "=", "pending")
    .execute();
}

export interface OutboxStats {
  /** Mails not yet delivered nor given up. */
  depth: number;
  /** Age of the oldest of them, in seconds; 0 when there is none. */
  oldestPendingSeconds: number;
}

/** For the metrics: one indexed query on the pending rows. */
export async function readOutboxStats(db: Kysely<Schema>, at?: Date): Promise<OutboxStats> {
  const row = await db
    .selectFrom("mail_outbox")
    .select([
      sql<string>`count(*)`.as("depth"),
      sql<number | null>`extract(epoch from ${clock(at)} - min(created_at))::float8`.as("oldest"),
    ])
    .where("status", "=", "pending")
    .executeTakeFirstOrThrow();
  return { depth: Number(row.depth), oldestPendingSeconds: Math.max(0, row.oldest ?? 0) };
}

/** The development mailbox: the latest mails, newest first, whatever their state. */
export async function listMailbox(db: Kysely<Schema>, limit = 50): Promise<MailRow[]> {
  return db
    .selectFrom("mail_outbox")
    .selectAll()
    .orderBy("created_at", "desc")
    .orderBy("seq", "desc")
    .limit(limit)
    .execute();
}
