import type { Transaction } from "kysely";
import type { Schema } from "../db/schema.js";
import { AppError } from "../errors.js";
import { recordEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import { emailChangedNoticeMail, emailChangeMail, enqueueMail } from "../mail/index.js";
import { cancelEmailChange, consumeToken, issueToken, voidTokens } from "../recovery/one-time-tokens.js";
import { link, VERIFY_TTL_MS } from "../recovery/recovery.deps.js";
import type { Authenticated } from "../sessions/sessions.service.js";
import { toUser, type User, type UserRow } from "../users/user.js";
import { createUserRepository } from "../users/users.repository.js";
import { type AccountContext, forgotLink, recheck } from "./account.context.js";
import {
  EMAIL_CHANGE_CAPS,
  type Issued,
  issuedByUser,
  issuedToAddress,
  lockEmailChange,
} from "./email-change.repository.js";

/** 429 RATE_LIMITED when a cap is full, with Retry-After: when its oldest request leaves the window. */
function refuseOverCap(issued: Issued, cap: { count: number; windowMs: number }, now: Date): void {
  if (issued.count < cap.count) return;
  const freeAt = (issued.oldest?.getTime() ?? now.getTime()) + cap.windowMs;
  throw new AppError("RATE_LIMITED", { retryAfterSeconds: Math.max(1, Math.ceil((freeAt - now.getTime()) / 1000)) });
}

/** The caps (EMAIL_CHANGE_CAPS), counted under the user's and the address's locks. */
async function checkCaps(trx: Transaction<Schema>, userId: string, newEmail: string, at: Date): Promise<void> {
  await lockEmailChange(trx, userId, newEmail);
  const { perUser, perTarget } = EMAIL_CHANGE_CAPS;
  refuseOverCap(await issuedByUser(trx, userId, new Date(at.getTime() - perUser.windowMs)), perUser, at);
  refuseOverCap(await issuedToAddress(trx, newEmail, new Date(at.getTime() - perTarget.windowMs)), perTarget, at);
}

/**
 * The link to the new address (greeting no one: the address is not proven) and the notice to the
 * old one, with its "Cancel this change" link. The link is bound to the session that asked.
 */
async function queueChange(
  ctx: AccountContext,
  trx: Transaction<Schema>,
  row: UserRow,
  newEmail: string,
  auth: Authenticated,
) {
  const { deps } = ctx;
  const { token, cancelToken } = await issueToken(trx, {
    userId: row.id,
    purpose: "email_change",
    email: newEmail,
    now: ctx.now(),
    ttlMs: VERIFY_TTL_MS,
    sessionId: auth.sessionId,
  });
  const expiresInMinutes = VERIFY_TTL_MS / 60_000;
  const confirm = emailChangeMail({ newEmail, link: link(deps.linkOrigin, "/confirm-email", token), expiresInMinutes });
  await enqueueMail(trx, { kind: "email_change", to: newEmail, userId: row.id, ...confirm });
  const notice = emailChangedNoticeMail({
    name: row.name,
    newEmail,
    cancelLink: link(deps.linkOrigin, "/cancel-email-change", cancelToken),
    link: forgotLink(deps.linkOrigin),
  });
  await enqueueMail(trx, { kind: "email_changed_notice", to: row.email, userId: row.id, ...notice });
}

export async function requestEmailChange(
  ctx: AccountContext,
  auth: Authenticated,
  newEmail: string,
  password: string,
): Promise<void> {
  const { deps, users } = ctx;
  const row = await recheck(ctx, auth, password);
  const holder = await users.findUserByEmail(newEmail);
  if (holder) throw new AppError("EMAIL_TAKEN"); // the caller's own address included
  await deps.db.transaction().execute(async (trx) => {
    if (deps.limits) await checkCaps(trx, row.id, newEmail, ctx.now());
    await queueChange(ctx, trx, row, newEmail, auth);
  });
  deps.mailQueued();
}

export async function confirmEmailChange(
  { deps, now }: AccountContext,
  token: string,
  client: ClientInfo,
): Promise<User> {
  const changed = await deps.db.transaction().execute(async (trx) => {
    const at = now();
    const row = await consumeToken(trx, "email_change", token, at);
    if (!row) return undefined;
    // EMAIL_TAKEN (someone registered it meanwhile) rolls the consumption back too.
    const user = await createUserRepository(trx).setEmail(row.user_id, row.email, at);
    if (!user) return undefined;
    await voidTokens(trx, user.id, at); // links sent to the old address stop working
    await recordEvent(trx, user.id, "email.changed", client);
    return user;
  });
  if (!changed) throw new AppError("INVALID_TOKEN");
  return toUser(changed);
}

/** The notice's "Cancel this change": the change can no longer happen. INVALID_TOKEN once it has. */
export async function cancelChange({ deps, now }: AccountContext, cancelToken: string): Promise<void> {
  if (!(await cancelEmailChange(deps.db, cancelToken, now()))) throw new AppError("INVALID_TOKEN");
}
