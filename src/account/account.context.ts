import type { Kysely } from "kysely";
import type { Schema } from "../db/schema.js";
import { AppError } from "../errors.js";
import type { SessionEvents } from "../sessions/sessions.service.js";
import type { PasswordHasher } from "../users/passwords.js";
import type { UserRow } from "../users/user.js";
import type { UserRepository } from "../users/users.repository.js";

export interface AccountServiceDeps {
  db: Kysely<Schema>;
  passwords: PasswordHasher;
  linkOrigin: string;
  /** RATE_LIMIT: off switches the caps on e-mail-change mails off too (SPEC §13). */
  limits?: boolean;
  mailQueued: () => void;
  sessionEvents?: SessionEvents;
  now?: () => Date;
}

/** What the account operations share: the deps, and the repository and clock built from them once. */
export interface AccountContext {
  deps: AccountServiceDeps;
  users: UserRepository;
  now: () => Date;
}

export const forgotLink = (origin: string) => new URL("/forgot-password", origin).toString();

/** The re-entered password: 403 WRONG_PASSWORD unless it is the account's. */
export async function recheck({ deps, users }: AccountContext, userId: string, password: string): Promise<UserRow> {
  const row = await users.findUserById(userId);
  if (!row) throw new AppError("UNAUTHORIZED");
  if (!(await deps.passwords.verifyPassword(password, row.password_hash))) throw new AppError("WRONG_PASSWORD");
  return row;
}
