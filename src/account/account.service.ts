import type { Kysely } from "kysely";
import { passwordContextProblem } from "../auth/password-rules.js";
import type { Schema } from "../db/schema.js";
import { AppError, validationError } from "../errors.js";
import { listEvents, recordEvent, type SecurityEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import { emailChangedNoticeMail, emailChangeMail, enqueueMail, passwordChangedMail } from "../mail/index.js";
import { consumeToken, issueToken, voidTokens } from "../recovery/one-time-tokens.js";
import { link, VERIFY_TTL_MS } from "../recovery/recovery.deps.js";
import { createSessionRepository } from "../sessions/sessions.repository.js";
import type { Authenticated, SessionEvents } from "../sessions/sessions.service.js";
import type { PasswordHasher } from "../users/passwords.js";
import { toUser, type User, type UserRow } from "../users/user.js";
import { createUserRepository } from "../users/users.repository.js";

export const EMAIL_CHANGE_MESSAGE =
  "We have sent a link to your new email address. The change happens when you use it.";

export interface AccountService {
  changePassword(auth: Authenticated, current: string, next: string, client: ClientInfo): Promise<void>;
  requestEmailChange(auth: Authenticated, newEmail: string, password: string): Promise<void>;
  confirmEmailChange(token: string, client: ClientInfo): Promise<User>;
  deleteAccount(auth: Authenticated, password: string): Promise<void>;
  listEvents(auth: Authenticated): Promise<SecurityEvent[]>;
}

export interface AccountServiceDeps {
  db: Kysely<Schema>;
  passwords: PasswordHasher;
  linkOrigin: string;
  mailQueued: () => void;
  sessionEvents?: SessionEvents;
  now?: () => Date;
}

/** Account settings (SPEC §9): what a signed-in person can do with their own account. */
export function createAccountService(deps: AccountServiceDeps): AccountService {
  const { db, passwords } = deps;
  const users = createUserRepository(db);
  const now = deps.now ?? (() => new Date());
  const forgotLink = () => new URL("/forgot-password", deps.linkOrigin).toString();

  /** The re-entered password: 403 WRONG_PASSWORD unless it is the account's. */
  async function recheck(userId: string, password: string): Promise<UserRow> {
    const row = await users.findUserById(userId);
    if (!row) throw new AppError("UNAUTHORIZED");
    if (!(await passwords.verifyPassword(password, row.password_hash))) throw new AppError("WRONG_PASSWORD");
    return row;
  }

  return {
    async changePassword(auth, current, next, client) {
      const row = await recheck(auth.user.id, current);
      const context = passwordContextProblem(next, {
        email: row.email,
        names: [row.name, row.first_name, row.last_name],
      });
      if (context) throw validationError([{ field: "newPassword", code: "PASSWORD_TOO_COMMON", message: context }]);
      const passwordHash = await passwords.hashPassword(next);
      const revoked = await db.transaction().execute(async (trx) => {
        await createUserRepository(trx).setPasswordHash(row.id, passwordHash);
        const count = await createSessionRepository(trx).revokeUserSessions(row.id, "password_change", auth.sessionId);
        await recordEvent(trx, row.id, "password.changed", client);
        const notice = passwordChangedMail({ name: row.name, link: forgotLink() });
        await enqueueMail(trx, { kind: "password_changed", to: row.email, userId: row.id, ...notice });
        return count;
      });
      deps.sessionEvents?.revoked?.("password_change", revoked);
      deps.mailQueued();
    },

    async requestEmailChange(auth, newEmail, password) {
      const row = await recheck(auth.user.id, password);
      const holder = await users.findUserByEmail(newEmail);
      if (holder) throw new AppError("EMAIL_TAKEN"); // the caller's own address included
      await db.transaction().execute(async (trx) => {
        const { token } = await issueToken(trx, {
          userId: row.id,
          purpose: "email_change",
          email: newEmail,
          now: now(),
          ttlMs: VERIFY_TTL_MS,
        });
        const confirm = emailChangeMail({
          name: row.name,
          newEmail,
          link: link(deps.linkOrigin, "/confirm-email", token),
          expiresInMinutes: VERIFY_TTL_MS / 60_000,
        });
        await enqueueMail(trx, { kind: "email_change", to: newEmail, userId: row.id, ...confirm });
        const notice = emailChangedNoticeMail({ name: row.name, newEmail, link: forgotLink() });
        await enqueueMail(trx, { kind: "email_changed_notice", to: row.email, userId: row.id, ...notice });
      });
      deps.mailQueued();
    },

    async confirmEmailChange(token, client) {
      const changed = await db.transaction().execute(async (trx) => {
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
    },

    async deleteAccount(auth, password) {
      const row = await recheck(auth.user.id, password);
      await users.deleteUser(row.id);
    },

    listEvents: (auth) => listEvents(db, auth.user.id),
  };
}
