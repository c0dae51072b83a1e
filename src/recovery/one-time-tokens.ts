import { createHash, randomBytes } from "node:crypto";
import { type Kysely, type Selectable, sql, type Transaction } from "kysely";
import { NEW_USER, type NewUserRow } from "../db/new-user-rows.js";
import type { OneTimeTokenPurpose, OneTimeTokensTable, Schema } from "../db/schema.js";

/**
 * One-time links (SPEC §9, §13): 32 random bytes, base64url (43 characters); only the SHA-256 of
 * the token string as sent is stored. A token is consumed by one conditional UPDATE … RETURNING,
 * so two requests racing with it have one winner. Expiry uses the service's clock (`now`), so tests
 * can move time; everything else is decided by the database.
 */

export type Purpose = OneTimeTokenPurpose;
export type TokenRow = Selectable<OneTimeTokensTable>;
type Executor = Kysely<Schema> | Transaction<Schema>;

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export interface IssueTokenInput {
  userId: string;
  purpose: Purpose;
  /** The address the link goes to. */
  email: string;
  now: Date;
  ttlMs: number;
  /** The session that asked (an e-mail change): the token works only while it is live. */
  sessionId?: string;
  /** What the link acts on (a factor_revoke link: "totp" or a passkey's id). */
  subject?: string;
}

const newToken = () => randomBytes(32).toString("base64url");

/**
 * A new token for the user and purpose; every earlier live one of that purpose (and subject, when
 * there is one: each passkey's "This wasn't me" link lives on its own) stops working.
 * An e-mail change also gets a second token, `cancelToken`, that voids it (cancelEmailChange).
 */
export async function issueToken(
  executor: Executor,
  input: IssueTokenInput,
): Promise<{ token: string; expiresAt: Date; cancelToken: string }> {
  const token = newToken();
  const cancelToken = newToken();
  const expiresAt = new Date(input.now.getTime() + input.ttlMs);
  await voidTokens(executor, input.userId, input.now, input.purpose, input.subject);
  await executor
    .insertInto("one_time_tokens")
    .values({
      user_id: input.userId,
      purpose: input.purpose,
      token_hash: hashToken(token),
      email: input.email,
      subject: input.subject ?? null,
      created_at: input.now,
      expires_at: expiresAt,
      session_id: input.sessionId ?? null,
      cancel_token_hash: input.purpose === "email_change" ? hashToken(cancelToken) : null,
    })
    .execute();
  return { token, expiresAt, cancelToken };
}

/** A new user's first token, in the sign-up's one statement: no earlier token can exist to void. */
export function tokenForNewUser(input: Omit<IssueTokenInput, "userId">): { token: string; row: NewUserRow } {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(input.now.getTime() + input.ttlMs);
  const row = sql`insert into one_time_tokens (user_id, purpose, token_hash, email, created_at, expires_at)
    select id, ${input.purpose}, ${hashToken(token)}, ${input.email}, ${input.now}, ${expiresAt} from ${NEW_USER}`;
  return { token, row };
}

/**
 * Live: not consumed, not voided, not expired, and bound: verification and reset links to the
 * user's current address (an e-mail change voids links sent to the old one), an e-mail change to
 * the session that asked for it, which must still be live (not logged out, not revoked by
 * "Log out of all other sessions", a password change or reset, not expired). A "This wasn't me"
 * link is the owner's remedy wherever the address has moved since.
 */
function live(purpose: Purpose, now: Date) {
  const bound =
    purpose === "factor_revoke"
      ? sql<boolean>`true`
      : purpose === "email_change"
        ? sql<boolean>`exists (select 1 from sessions s where s.id = one_time_tokens.session_id
          and s.revoked_at is null and s.expires_at > now())`
        : sql<boolean>`exists (select 1 from users u where u.id = one_time_tokens.user_id and lower(u.email) = lower(one_time_tokens.email))`;
  return sql<boolean>`consumed_at is null and voided_at is null and expires_at > ${now} and ${bound}`;
}

/** Uses a token up: the row when it was live, undefined otherwise (and then nothing changed). */
export async function consumeToken(
  executor: Executor,
  purpose: Purpose,
  token: string,
  now: Date,
): Promise<TokenRow | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  return executor
    .updateTable("one_time_tokens")
    .set({ consumed_at: now })
    .where("token_hash", "=", hashToken(token))
    .where("purpose", "=", purpose)
    .where(live(purpose, now))
    .returningAll()
    .executeTakeFirst();
}

/** Whether a token is live, without using it (the page a link opens). */
export async function findLiveToken(
  executor: Executor,
  purpose: Purpose,
  token: string,
  now: Date,
): Promise<TokenRow | undefined> {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  return executor
    .selectFrom("one_time_tokens")
    .selectAll()
    .where("token_hash", "=", hashToken(token))
    .where("purpose", "=", purpose)
    .where(live(purpose, now))
    .executeTakeFirst();
}

/**
 * Uses an e-mail change's "Cancel this change" token: the change it belongs to can no longer
 * happen. True unless the token is unknown or the change was already made (consumed); pressing
 * it again, or after the change died another way (superseded, expired, session ended), is true
 * too and changes nothing more. A race with the confirmation has one winner.
 */
export async function cancelEmailChange(executor: Executor, cancelToken: string, now: Date): Promise<boolean> {
  if (!TOKEN_SHAPE.test(cancelToken)) return false;
  const result = await executor
    .updateTable("one_time_tokens")
    .set({ voided_at: sql`coalesce(voided_at, ${now})` })
    .where("cancel_token_hash", "=", hashToken(cancelToken))
    .where("purpose", "=", "email_change")
    .where("consumed_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/**
 * Voids the user's live tokens: of one purpose (and subject), or of every purpose but the "This
 * wasn't me" links, which stay the owner's remedy through a reset or an e-mail change.
 */
export async function voidTokens(
  executor: Executor,
  userId: string,
  now: Date,
  purpose?: Purpose,
  subject?: string,
): Promise<void> {
  let query = executor
    .updateTable("one_time_tokens")
    .set({ voided_at: now })
    .where("user_id", "=", userId)
    .where("consumed_at", "is", null)
    .where("voided_at", "is", null);
  query = purpose ? query.where("purpose", "=", purpose) : query.where("purpose", "!=", "factor_revoke");
  if (subject !== undefined) query = query.where("subject", "=", subject);
  await query.execute();
}

/** How many tokens of a purpose the user was sent since `since` (the per-address mail cap). */
export async function countIssuedSince(executor: Executor, userId: string, purpose: Purpose, since: Date) {
  const row = await executor
    .selectFrom("one_time_tokens")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("created_at", ">", since)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** When the user was last sent a token of this purpose (the resend cooldown). */
export async function lastIssuedAt(executor: Executor, userId: string, purpose: Purpose): Promise<Date | undefined> {
  const row = await executor
    .selectFrom("one_time_tokens")
    .select("created_at")
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row ? new Date(row.created_at) : undefined;
}
