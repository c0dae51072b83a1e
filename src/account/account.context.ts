import type { Kysely } from "kysely";
import type { Schema } from "../db/schema.js";
import { reauthenticate } from "../sessions/reauthenticate.js";
import type { Authenticated, SessionEvents } from "../sessions/sessions.service.js";
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

/** The re-entered password (src/sessions/reauthenticate.ts: the one check every such endpoint makes). */
export const recheck = ({ deps }: AccountContext, auth: Authenticated, password: string): Promise<UserRow> =>
  reauthenticate(deps, auth, password);
