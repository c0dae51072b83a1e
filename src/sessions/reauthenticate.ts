import type { Kysely } from "kysely";
import type { Schema } from "../db/schema.js";
import { AppError } from "../errors.js";
import type { PasswordHasher } from "../users/passwords.js";
import type { UserRow } from "../users/user.js";
import { createUserRepository } from "../users/users.repository.js";
import { createSessionRepository } from "./sessions.repository.js";
import type { Authenticated } from "./sessions.service.js";

/** An account without a password proves itself with a sign-in at most this old (SPEC §20). */
export const FRESH_SIGN_IN_MS = 10 * 60_000;

export interface IdentityProof {
  /** The account's bcrypt hash; null for an account without a password. */
  passwordHash: string | null;
  /** The password the caller re-entered, if any. */
  password: string | undefined;
  /** When the caller's session signed in (read only for an account without a password). */
  signedInAt: () => Promise<Date | undefined>;
  now: Date;
  verifyPassword: PasswordHasher["verifyPassword"];
}

/**
 * The one rule for a signed-in caller who must prove it is them again (SPEC §9, §20): the right
 * password (403 WRONG_PASSWORD otherwise); an account without one instead needs a session signed
 * in within FRESH_SIGN_IN_MS (403 REAUTHENTICATION_REQUIRED). Failures are counted by the routes,
 * which put the sign-in limits in front of every endpoint that calls this (src/auth/auth.limits.ts).
 */
export async function proveIdentity(proof: IdentityProof): Promise<void> {
  if (proof.passwordHash === null) {
    const signedInAt = await proof.signedInAt();
    if (!signedInAt || proof.now.getTime() - signedInAt.getTime() > FRESH_SIGN_IN_MS) {
      throw new AppError("REAUTHENTICATION_REQUIRED");
    }
    return;
  }
  if (proof.password === undefined || !(await proof.verifyPassword(proof.password, proof.passwordHash))) {
    throw new AppError("WRONG_PASSWORD");
  }
}

export interface ReauthenticationDeps {
  db: Kysely<Schema>;
  passwords: PasswordHasher;
  now?: () => Date;
}

/** The caller's row once it proved itself again with `password` (see proveIdentity). */
export async function reauthenticate(
  deps: ReauthenticationDeps,
  auth: Authenticated,
  password: string | undefined,
): Promise<UserRow> {
  const row = await createUserRepository(deps.db).findUserById(auth.user.id);
  if (!row) throw new AppError("UNAUTHORIZED");
  await proveIdentity({
    passwordHash: row.password_hash,
    password,
    signedInAt: async () => {
      const sessions = await createSessionRepository(deps.db).listLiveSessions(row.id);
      const session = sessions.find((s) => s.id === auth.sessionId);
      return session ? new Date(session.created_at) : undefined;
    },
    now: deps.now?.() ?? new Date(),
    verifyPassword: (plain, hash) => deps.passwords.verifyPassword(plain, hash),
  });
  return row;
}
