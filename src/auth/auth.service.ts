import type { Kysely } from "kysely";
import type { NewUserRow } from "../db/new-user-rows.js";
import type { Schema } from "../db/schema.js";
import { AppError } from "../errors.js";
import { eventForNewUser, pruneEvents, recordEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import type { VerificationMode } from "../recovery/recovery.deps.js";
import type { SessionService } from "../sessions/sessions.service.js";
import type { PasswordHasher } from "../users/passwords.js";
import type { UserRow } from "../users/user.js";
import { toUser, type User } from "../users/user.js";
import { createUserRepository } from "../users/users.repository.js";
import type { LoginBody, RegisterBody } from "./auth.schemas.js";
import { PASSWORD_MAX_BYTES } from "./auth.schemas.js";
import { oneAtATime } from "./one-at-a-time.js";

interface AuthResult {
  /** null when EMAIL_VERIFICATION=required: no session until the address is verified. */
  token: string | null;
  user: User;
}

/** The password was right, and a second factor is next (POST /mfa/verify with the ticket). */
interface SecondFactorRequired {
  mfaRequired: true;
  mfaToken: string;
}

export interface AuthService {
  /** A new user and their first session (none while verification is required). */
  registerUser(input: RegisterBody, client: ClientInfo): Promise<AuthResult>;
  /** A new session for the owner of the e-mail and password, or the ticket for a second factor. */
  loginUser(input: LoginBody, client: ClientInfo): Promise<AuthResult | SecondFactorRequired>;
}

/** Where sign-in asks for a second factor (src/mfa). */
interface SecondFactor {
  isRequired(userId: string): Promise<boolean>;
  startTicket(userId: string): Promise<string>;
}

export interface AuthServiceDeps {
  db: Kysely<Schema>;
  passwords: PasswordHasher;
  sessions: SessionService;
  verification?: VerificationMode;
  secondFactor?: SecondFactor;
  /** Rows written with a new user in the sign-up's one statement: the verification link and mail. */
  rowsForNewUser?: (user: Pick<UserRow, "email" | "name">) => NewUserRow[];
  /** Called after a statement that queued mail committed. */
  mailQueued?: () => void;
  /** Told when a login re-hash fails; the login itself still succeeds. */
  onRehashError?: (error: unknown) => void;
}

const invalidCredentials = () => new AppError("INVALID_CREDENTIALS");

/** Registration and sign-in: the rules, with storage, hashing and sessions passed in. */
export function createAuthService(deps: AuthServiceDeps): AuthService {
  const { db, passwords, sessions } = deps;
  const users = createUserRepository(db);
  const verificationRequired = deps.verification === "required";
  const perEmail = oneAtATime();

  async function signIn(user: User, client: ClientInfo): Promise<AuthResult> {
    const { token } = await sessions.createSession(user, "password", client);
    return { token, user };
  }

  /** The password is wrong (or too long): recorded against the account it named. */
  async function refuse(row: UserRow, client: ClientInfo): Promise<never> {
    await recordEvent(db, row.id, "login.failed", client);
    throw invalidCredentials();
  }

  async function upgradeHash(row: UserRow, password: string) {
    if (!passwords.needsRehash(row.password_hash)) return;
    try {
      const upgraded = await passwords.hashPassword(password);
      await users.updatePasswordHash(row.id, row.password_hash, upgraded);
    } catch (error) {
      deps.onRehashError?.(error);
    }
  }

  async function register(input: RegisterBody, client: ClientInfo): Promise<AuthResult> {
    // A duplicate costs no bcrypt work. The unique index still decides a race (see createUser).
    if (await users.findUserByEmail(input.email)) throw new AppError("EMAIL_TAKEN");
    // Hash with no connection or transaction held: it takes ~250 ms at cost 12.
    const passwordHash = await passwords.hashPassword(input.password);
    const firstName = input.firstName ?? null;
    const lastName = input.lastName ?? null;
    const name = input.name ?? `${firstName} ${lastName}`;
    // The user, its first event, its verification link and mail, and its first session: one
    // statement, so they commit together or not at all, in one round trip to the database.
    const session = verificationRequired ? undefined : sessions.sessionForNewUser("password", client);
    const row = await users.createUserWith(
      { email: input.email, name, firstName, lastName, passwordHash },
      [eventForNewUser("user.registered", client), ...(deps.rowsForNewUser?.({ email: input.email, name }) ?? [])],
      session?.row,
    );
    deps.mailQueued?.();
    const user = toUser(row);
    return { token: session && row.session_id ? session.token(user, row.session_id) : null, user };
  }

  return {
    registerUser: (input, client) => perEmail.run(input.email.toLowerCase(), () => register(input, client)),

    async loginUser(input, client) {
      const row = await users.findUserByEmail(input.email);
      // bcrypt reads only 72 bytes: a longer password must not match a stored prefix of it.
      const tooLong = Buffer.byteLength(input.password, "utf8") > PASSWORD_MAX_BYTES;
      if (!row || tooLong) {
        await passwords.burnVerify(input.password);
        if (row) await refuse(row, client);
        throw invalidCredentials();
      }
      if (!(await passwords.verifyPassword(input.password, row.password_hash))) await refuse(row, client);
      await upgradeHash(row, input.password);
      // Only after the password checked out: it tells nothing to someone without it.
      if (verificationRequired && row.email_verified_at === null) throw new AppError("EMAIL_NOT_VERIFIED");
      const { secondFactor } = deps;
      if (secondFactor && (await secondFactor.isRequired(row.id))) {
        return { mfaRequired: true, mfaToken: await secondFactor.startTicket(row.id) };
      }
      const result = await signIn(toUser(row), client);
      await recordEvent(db, row.id, "login.succeeded", client);
      await pruneEvents(db, row.id);
      return result;
    },
  };
}
