import type { Transaction } from "kysely";
import { lockKey } from "../db/locks.js";
import type { NewUserRow } from "../db/new-user-rows.js";
import type { Schema } from "../db/schema.js";
import { AppError } from "../errors.js";
import { recordEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import { enqueueMail, mailForNewUser, verifyEmailMail } from "../mail/index.js";
import { toUser, type User, type UserRow } from "../users/user.js";
import { createUserRepository } from "../users/users.repository.js";
import { consumeToken, findLiveToken, issueToken, lastIssuedAt, tokenForNewUser } from "./one-time-tokens.js";
import { link, RESEND_COOLDOWN_MS, type RecoveryDeps, VERIFY_TTL_MS } from "./recovery.deps.js";

export interface VerificationService {
  /** The verification link and its mail for a new user, written with it (none when mode is off). */
  rowsForNewUser(user: Pick<UserRow, "email" | "name">): NewUserRow[];
  /** A new link (the previous one stops working), or the user when already verified. */
  resendVerification(user: User): Promise<{ sent: true } | { sent: false; user: User }>;
  /** Uses the link: the address is verified. Never signs anyone in. */
  verifyEmail(token: string, client: ClientInfo): Promise<User>;
  /** Whether a verification link would work, without using it (GET of the page). */
  isLive(token: string): Promise<boolean>;
}

/** 429 while the user's last link is younger than the cooldown (the sign-up's counts too). */
async function cooldown(trx: Transaction<Schema>, userId: string, at: Date): Promise<void> {
  const last = await lastIssuedAt(trx, userId, "verify_email");
  const waitMs = last ? last.getTime() + RESEND_COOLDOWN_MS - at.getTime() : 0;
  if (waitMs > 0) throw new AppError("RATE_LIMITED", { retryAfterSeconds: Math.ceil(waitMs / 1000) });
}

/** E-mail verification (SPEC §7). */
export function createVerificationService(deps: RecoveryDeps): VerificationService {
  const now = deps.now ?? (() => new Date());

  /** The verification link's token input, and the mail that carries a token to the address. */
  const tokenInput = (email: string) => ({ purpose: "verify_email" as const, email, now: now(), ttlMs: VERIFY_TTL_MS });
  const mailWith = (user: Pick<UserRow, "email" | "name">, token: string) => ({
    kind: "verify_email" as const,
    to: user.email,
    ...verifyEmailMail({
      link: link(deps.linkOrigin, "/verify-email", token),
      expiresInMinutes: VERIFY_TTL_MS / 60_000,
    }),
  });

  async function queue(trx: Transaction<Schema>, user: Pick<UserRow, "id" | "email" | "name">) {
    const { token } = await issueToken(trx, { userId: user.id, ...tokenInput(user.email) });
    await enqueueMail(trx, { userId: user.id, ...mailWith(user, token) });
  }

  return {
    rowsForNewUser(user) {
      if (deps.verification === "off") return [];
      const { token, row } = tokenForNewUser(tokenInput(user.email));
      return [row, mailForNewUser(mailWith(user, token))];
    },

    async resendVerification(user) {
      if (user.emailVerified) return { sent: false, user };
      if (deps.verification === "off") return { sent: false, user };
      // The cooldown is read under the user's lock, in the transaction that writes the link:
      // concurrent requests take turns, and exactly one gets through (SPEC §20).
      await deps.db.transaction().execute(async (trx) => {
        await lockKey(trx, `verify_mail:${user.id}`);
        if (deps.limits) await cooldown(trx, user.id, now());
        await queue(trx, user);
      });
      deps.mailQueued();
      return { sent: true };
    },

    async verifyEmail(token, client) {
      const verified = await deps.db.transaction().execute(async (trx) => {
        const row = await consumeToken(trx, "verify_email", token, now());
        if (!row) return undefined;
        const user = await createUserRepository(trx).markEmailVerified(row.user_id, now());
        if (user) await recordEvent(trx, user.id, "email.verified", client);
        return user;
      });
      if (!verified) throw new AppError("INVALID_TOKEN");
      return toUser(verified);
    },

    async isLive(token) {
      return (await findLiveToken(deps.db, "verify_email", token, now())) !== undefined;
    },
  };
}
