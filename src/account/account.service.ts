import { validationError } from "../errors.js";
import { listEvents, recordEvent, type SecurityEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import { accountDeletedMail, enqueueMail, passwordChangedMail } from "../mail/index.js";
import { endTickets } from "../mfa/mfa-tickets.repository.js";
import { voidTokens } from "../recovery/one-time-tokens.js";
import { createSessionRepository } from "../sessions/sessions.repository.js";
import type { Authenticated } from "../sessions/sessions.service.js";
import { passwordContextProblem, storedUserContext } from "../users/password-rules.js";
import type { User } from "../users/user.js";
import { createUserRepository } from "../users/users.repository.js";
import { type AccountContext, type AccountServiceDeps, forgotLink, recheck } from "./account.context.js";
import { cancelChange, confirmEmailChange, requestEmailChange } from "./email-change.service.js";

export const EMAIL_CHANGE_MESSAGE =
  "We have sent a link to your new email address. The change happens when you use it.";

export interface AccountService {
  changePassword(auth: Authenticated, current: string, next: string, client: ClientInfo): Promise<void>;
  requestEmailChange(auth: Authenticated, newEmail: string, password: string): Promise<void>;
  confirmEmailChange(token: string, client: ClientInfo): Promise<User>;
  /** The "Cancel this change" link of the notice to the old address. */
  cancelEmailChange(cancelToken: string): Promise<void>;
  deleteAccount(auth: Authenticated, password: string): Promise<void>;
  listEvents(auth: Authenticated): Promise<SecurityEvent[]>;
}

/**
 * A password change ends every other session and voids a pending e-mail change (whoever asked
 * for it: it may be the person the change is meant to lock out).
 */
async function changePassword(
  ctx: AccountContext,
  auth: Authenticated,
  current: string,
  next: string,
  client: ClientInfo,
): Promise<void> {
  const { deps } = ctx;
  const row = await recheck(ctx, auth, current);
  const context = passwordContextProblem(next, storedUserContext(row));
  if (context) throw validationError([{ field: "newPassword", code: "PASSWORD_TOO_COMMON", message: context }]);
  const passwordHash = await deps.passwords.hashPassword(next);
  const revoked = await deps.db.transaction().execute(async (trx) => {
    await createUserRepository(trx).setPasswordHash(row.id, passwordHash);
    const count = await createSessionRepository(trx).revokeUserSessions(row.id, "password_change", auth.sessionId);
    await voidTokens(trx, row.id, ctx.now(), "email_change");
    await endTickets(trx, row.id, ctx.now()); // a sign-in half done with the old password ends too
    await recordEvent(trx, row.id, "password.changed", client);
    const notice = passwordChangedMail({ name: row.name, link: forgotLink(deps.linkOrigin) });
    await enqueueMail(trx, { kind: "password_changed", to: row.email, userId: row.id, ...notice });
    return count;
  });
  deps.sessionEvents?.revoked?.("password_change", revoked);
  deps.mailQueued();
}

/**
 * The user goes with its sessions, links, events and queued mails (ON DELETE CASCADE); the notice
 * to the address it had is queued in the same transaction and outlives it (its row has no user).
 */
async function deleteAccount(ctx: AccountContext, auth: Authenticated, password: string): Promise<void> {
  const { deps } = ctx;
  const row = await recheck(ctx, auth, password);
  await deps.db.transaction().execute(async (trx) => {
    if (!(await createUserRepository(trx).deleteUser(row.id))) return;
    const notice = accountDeletedMail({ name: row.name });
    await enqueueMail(trx, { kind: "account_deleted", to: row.email, userId: null, ...notice });
  });
  deps.mailQueued();
}

/** Account settings (SPEC §9): what a signed-in person can do with their own account. */
export function createAccountService(deps: AccountServiceDeps): AccountService {
  const ctx: AccountContext = { deps, users: createUserRepository(deps.db), now: deps.now ?? (() => new Date()) };
  return {
    changePassword: (auth, current, next, client) => changePassword(ctx, auth, current, next, client),
    requestEmailChange: (auth, newEmail, password) => requestEmailChange(ctx, auth, newEmail, password),
    confirmEmailChange: (token, client) => confirmEmailChange(ctx, token, client),
    cancelEmailChange: (cancelToken) => cancelChange(ctx, cancelToken),
    deleteAccount: (auth, password) => deleteAccount(ctx, auth, password),
    listEvents: (auth) => listEvents(deps.db, auth.user.id),
  };
}
