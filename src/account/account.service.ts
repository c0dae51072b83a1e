import type { Kysely } from "kysely";
import type { Schema } from "../db/schema.js";
import { AppError, validationError } from "../errors.js";
import { listEvents, recordEvent, type SecurityEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import {
  accountDeletedMail,
  emailChangedNoticeMail,
  emailChangeMail,
  enqueueMail,
  passwordChangedMail,
} from "../mail/index.js";
import { consumeToken, issueToken, voidTokens } from "../recovery/one-time-tokens.js";
import { link, VERIFY_TTL_MS } from "../recovery/recovery.deps.js";
import { createSessionRepository } from "../sessions/sessions.repository.js";
import type { Authenticated, SessionEvents } from "../sessions/sessions.service.js";
import { passwordContextProblem, storedUserContext } from "../users/password-rules.js";
import type { PasswordHasher } from "../users/passwords.js";
import { toUser, type User, type UserRow } from "../users/user.js";
import { createUserRepository, type UserRepository } from "../users/users.repository.js";

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

/** What the account operations share: the deps, and the repository and clock built from them once. */
interface AccountContext {
  deps: AccountServiceDeps;
  users: UserRepository;
  now: () => Date;
}

const forgotLink = (origin: string) => new URL("/forgot-password", origin).toString();

/** The re-entered password: 403 WRONG_PASSWORD unless it is the account's. */
async function recheck({ deps, users }: AccountContext, userId: string, password: string): Promise<UserRow> {
  const row = await users.findUserById(userId);
  if (!row) throw new AppError("UNAUTHORIZED");
  if (!(await deps.passwords.verifyPassword(password, row.password_hash))) throw new AppError("WRONG_PASSWORD");
  return row;
}

async function changePassword(
  ctx: AccountContext,
  auth: Authenticated,
  current: string,
  next: string,
  client: ClientInfo,
): Promise<void> {
  const { deps } = ctx;
  const row = await recheck(ctx, auth.user.id, current);
  const context = passwordContextProblem(next, storedUserContext(row));
  if (context) throw validationError([{ field: "newPassword", code: "PASSWORD_TOO_COMMON", message: context }]);
  const passwordHash = await deps.passwords.hashPassword(next);
  const revoked = await deps.db.transaction().execute(async (trx) => {
    await createUserRepository(trx).setPasswordHash(row.id, passwordHash);
    const count = await createSessionRepository(trx).revokeUserSessions(row.id, "password_change", auth.sessionId);
    await recordEvent(trx, row.id, "password.changed", client);
    const notice = passwordChangedMail({ name: row.name, link: forgotLink(deps.linkOrigin) });
    await enqueueMail(trx, { kind: "password_changed", to: row.email, userId: row.id, ...notice });
    return count;
  });
  deps.sessionEvents?.revoked?.("password_change", revoked);
  deps.mailQueued();
}

async function requestEmailChange(
  ctx: AccountContext,
  auth: Authenticated,
  newEmail: string,
  password: string,
): Promise<void> {
  const { deps, users, now } = ctx;
  const row = await recheck(ctx, auth.user.id, password);
  const holder = await users.findUserByEmail(newEmail);
  if (holder) throw new AppError("EMAIL_TAKEN"); // the caller's own address included
  await deps.db.transaction().execute(async (trx) => {
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
    const notice = emailChangedNoticeMail({ name: row.name, newEmail, link: forgotLink(deps.linkOrigin) });
    await enqueueMail(trx, { kind: "email_changed_notice", to: row.email, userId: row.id, ...notice });
  });
  deps.mailQueued();
}

async function confirmEmailChange({ deps, now }: AccountContext, token: string, client: ClientInfo): Promise<User> {
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

/**
 * The user goes with its sessions, links, events and queued mails (ON DELETE CASCADE); the notice
 * to the address it had is queued in the same transaction and outlives it (its row has no user).
 */
async function deleteAccount(ctx: AccountContext, auth: Authenticated, password: string): Promise<void> {
  const { deps } = ctx;
  const row = await recheck(ctx, auth.user.id, password);
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
    deleteAccount: (auth, password) => deleteAccount(ctx, auth, password),
    listEvents: (auth) => listEvents(deps.db, auth.user.id),
  };
}
