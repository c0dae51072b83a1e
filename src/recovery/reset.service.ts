import { randomInt } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Transaction } from "kysely";
import { lockKey } from "../db/locks.js";
import type { Schema } from "../db/schema.js";
import { AppError, validationError } from "../errors.js";
import { recordEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import { enqueueMail, passwordChangedMail, passwordResetMail } from "../mail/index.js";
import { endTickets } from "../mfa/mfa-tickets.repository.js";
import { createSessionRepository } from "../sessions/sessions.repository.js";
import { passwordContextProblem, storedUserContext } from "../users/password-rules.js";
import { createUserRepository, type UserRepository } from "../users/users.repository.js";
import { consumeToken, countIssuedSince, findLiveToken, issueToken, voidTokens } from "./one-time-tokens.js";
import { removeWaysToSignIn } from "./reclaim.repository.js";
import { link, RESET_MAIL_CAP, type RecoveryDeps } from "./recovery.deps.js";

export interface ResetService {
  /** Queues a reset link for an existing account; answers alike, in time too, for any address. */
  forgotPassword(email: string): Promise<void>;
  /**
   * Sets the password from a reset link; every session ends, other links are void. No sign-in.
   * The first verification of the address also removes passkeys and TOTP (reclaiming, SPEC §20).
   */
  resetPassword(token: string, password: string, client: ClientInfo): Promise<void>;
  /** Whether a reset link would work, without using it (GET of the page). */
  isLive(token: string): Promise<boolean>;
}

/**
 * Both paths of forgot-password take at least this long: the known one writes a token and a mail
 * (a few ms), the unknown one nothing, and the difference must not tell them apart.
 */
const FORGOT_FLOOR_MS = 120;

/**
 * A reset mail is due at a random instant within this after its request, and the request wakes
 * no worker: its delivery (claim, SMTP, mark sent) is work only a known address causes, and
 * started at the commit it slowed the request right after (issue 19, item 7). Now it starts
 * when a worker's poll (every second, on its own clock) finds it due, at a time the request
 * does not decide. Under SPEC §13's 5 s: at most this plus the 1-s poll.
 */
export const RESET_MAIL_SPREAD_MS = 3000;

/** What the reset operations share: the deps, and the repository, clock and floor built from them once. */
interface ResetContext {
  deps: RecoveryDeps;
  users: UserRepository;
  now: () => Date;
  floorMs: number;
}

/**
 * Queues a reset link unless the address had its 3 mails in the window. The count is read under
 * the user's reset-mail lock, in the transaction that writes the link: concurrent requests take
 * turns, so exactly 3 get through (SPEC §20). Over the cap nothing changes: the last link stays valid.
 */
async function queueReset(
  { deps, now }: ResetContext,
  user: { id: string; email: string; name: string },
): Promise<void> {
  return deps.db.transaction().execute(async (trx) => {
    await lockKey(trx, `reset_mail:${user.id}`);
    const at = now();
    const since = new Date(at.getTime() - RESET_MAIL_CAP.windowMs);
    if (deps.limits && (await countIssuedSince(trx, user.id, "password_reset", since)) >= RESET_MAIL_CAP.count) {
      return;
    }
    const { token } = await issueToken(trx, {
      userId: user.id,
      purpose: "password_reset",
      email: user.email,
      now: at,
      ttlMs: deps.resetTtlMs,
    });
    const mail = passwordResetMail({
      name: user.name,
      link: link(deps.linkOrigin, "/reset-password", token),
      expiresInMinutes: Math.round(deps.resetTtlMs / 60_000),
    });
    await enqueueMail(trx, {
      kind: "password_reset",
      to: user.email,
      userId: user.id,
      ...mail,
      linkExpiresAt: new Date(at.getTime() + deps.resetTtlMs),
      dueInMs: randomInt(RESET_MAIL_SPREAD_MS),
    });
  });
}

async function forgotPassword(ctx: ResetContext, email: string): Promise<void> {
  const started = performance.now();
  const user = await ctx.users.findUserByEmail(email);
  if (user) await queueReset(ctx, user);
  const left = ctx.floorMs - (performance.now() - started);
  if (left > 0) await sleep(left);
  // No kick of the mail worker: see RESET_MAIL_SPREAD_MS.
}

/**
 * The reset's one transaction: the new password, every session ended, other links void. When it
 * verifies the address for the first time, the account is reclaimed (SPEC §20): whoever held the
 * address unverified may have added passkeys or TOTP, and those go too. undefined: a dead token.
 */
async function applyReset(
  trx: Transaction<Schema>,
  { token, passwordHash, at }: { token: string; passwordHash: string; at: Date },
  client: ClientInfo,
): Promise<number | undefined> {
  const row = await consumeToken(trx, "password_reset", token, at);
  if (!row) return undefined;
  const repo = createUserRepository(trx);
  await repo.setPasswordHash(row.user_id, passwordHash);
  const reclaimed = await repo.verifyEmailFirstTime(row.user_id, at); // the inbox was proven
  if (reclaimed) await removeWaysToSignIn(trx, row.user_id);
  await voidTokens(trx, row.user_id, at);
  const count = await createSessionRepository(trx).revokeUserSessions(row.user_id, "password_reset");
  await endTickets(trx, row.user_id, at); // a sign-in half done with the old password ends too
  await recordEvent(trx, row.user_id, "password.reset", client);
  if (reclaimed) await recordEvent(trx, row.user_id, "account.reclaimed", client);
  return count;
}

async function resetPassword(
  { deps, users, now }: ResetContext,
  token: string,
  password: string,
  client: ClientInfo,
): Promise<void> {
  const found = await findLiveToken(deps.db, "password_reset", token, now());
  const user = found && (await users.findUserById(found.user_id));
  if (!found || !user) throw new AppError("INVALID_TOKEN");
  const context = passwordContextProblem(password, storedUserContext(user));
  if (context) throw validationError([{ field: "password", code: "PASSWORD_TOO_COMMON", message: context }]);
  // Hash first, with no transaction open (~250 ms at cost 12); the token is consumed after.
  const passwordHash = await deps.passwords.hashPassword(password);
  const revoked = await deps.db.transaction().execute(async (trx) => {
    const count = await applyReset(trx, { token, passwordHash, at: now() }, client);
    if (count === undefined) return undefined;
    const notice = passwordChangedMail({
      name: user.name,
      link: new URL("/forgot-password", deps.linkOrigin).toString(),
    });
    await enqueueMail(trx, { kind: "password_changed", to: user.email, userId: user.id, ...notice });
    return count;
  });
  if (revoked === undefined) throw new AppError("INVALID_TOKEN");
  deps.sessionEvents?.revoked?.("password_reset", revoked);
  deps.mailQueued();
}

async function isLive({ deps, now }: ResetContext, token: string): Promise<boolean> {
  return (await findLiveToken(deps.db, "password_reset", token, now())) !== undefined;
}

/** Password reset (SPEC §8). */
export function createResetService(deps: RecoveryDeps & { forgotFloorMs?: number }): ResetService {
  const ctx: ResetContext = {
    deps,
    users: createUserRepository(deps.db),
    now: deps.now ?? (() => new Date()),
    floorMs: deps.forgotFloorMs ?? FORGOT_FLOOR_MS,
  };
  return {
    forgotPassword: (email) => forgotPassword(ctx, email),
    resetPassword: (token, password, client) => resetPassword(ctx, token, password, client),
    isLive: (token) => isLive(ctx, token),
  };
}
