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
import { PASSWORD_MAX_BYTES } from "../users/user-fields.js";
import { createUserRepository, type UserRepository } from "../users/users.repository.js";
import type { LoginBody, RegisterBody } from "./auth.schemas.js";
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

/** What registration and sign-in share: the deps, and what the factory derives from them once. */
interface AuthContext {
  deps: AuthServiceDeps;
  users: UserRepository;
  verificationRequired: boolean;
}

async function signIn({ deps }: AuthContext, user: User, client: ClientInfo): Promise<AuthResult> {
  const { token } = await deps.sessions.createSession(user, "password", client);
  return { token, user };
}

/** The password is wrong (or too long): recorded against the account it named. */
async function refuse({ deps }: AuthContext, row: UserRow, client: ClientInfo): Promise<never> {
  await recordEvent(deps.db, row.id, "login.failed", client);
  throw invalidCredentials();
}

async function upgradeHash({ deps, users }: AuthContext, row: UserRow, password: string) {
  if (!deps.passwords.needsRehash(row.password_hash)) return;
  try {
    const upgraded = await deps.passwords.hashPassword(password);
    await users.updatePasswordHash(row.id, row.password_hash, upgraded);
  } catch (error) {
    deps.onRehashError?.(error);
  }
}

async function register(
  { deps, users, verificationRequired }: AuthContext,
  input: RegisterBody,
  client: ClientInfo,
): Promise<AuthResult> {
  // A duplicate costs no bcrypt work. The unique index still decides a race (see createUser).
  if (await users.findUserByEmail(input.email)) throw new AppError("EMAIL_TAKEN");
  // Hash with no connection or transaction held: it takes ~250 ms at cost 12.
  const passwordHash = await deps.passwords.hashPassword(input.password);
  const firstName = input.firstName ?? null;
  const lastName = input.lastName ?? null;
  const name = input.name ?? `${firstName} ${lastName}`;
  // The user, its first event, its verification link and mail, and its first session: one
  // statement, so they commit together or not at all, in one round trip to the database.
  const session = verificationRequired ? undefined : deps.sessions.sessionForNewUser("password", client);
  const row = await users.createUserWith(
    { email: input.email, name, firstName, lastName, passwordHash },
    [eventForNewUser("user.registered", client), ...(deps.rowsForNewUser?.({ email: input.email, name }) ?? [])],
    session?.row,
  );
  deps.mailQueued?.();
  const user = toUser(row);
  return { token: session && row.session_id ? session.token(user, row.session_id) : null, user };
}

async function loginUser(
  ctx: AuthContext,
  input: LoginBody,
  client: ClientInfo,
): Promise<AuthResult | SecondFactorRequired> {
  const { deps, users, verificationRequired } = ctx;
  const row = await users.findUserByEmail(input.email);
  // bcrypt reads only 72 bytes: a longer password must not match a stored prefix of it.
  const tooLong = Buffer.byteLength(input.password, "utf8") > PASSWORD_MAX_BYTES;
  if (!row || tooLong) {
    await deps.passwords.burnVerify(input.password);
    if (row) await refuse(ctx, row, client);
    throw invalidCredentials();
  }
  if (!(await deps.passwords.verifyPassword(input.password, row.password_hash))) await refuse(ctx, row, client);
  await upgradeHash(ctx, row, input.password);
  // Only after the password checked out: it tells nothing to someone without it.
  if (verificationRequired && row.email_verified_at === null) throw new AppError("EMAIL_NOT_VERIFIED");
  const { secondFactor } = deps;
  if (secondFactor && (await secondFactor.isRequired(row.id))) {
    return { mfaRequired: true, mfaToken: await secondFactor.startTicket(row.id) };
  }
  const result = await signIn(ctx, toUser(row), client);
  await recordEvent(deps.db, row.id, "login.succeeded", client);
  await pruneEvents(deps.db, row.id);
  return result;
}

/** Registration and sign-in: the rules, with storage, hashing and sessions passed in. */
export function createAuthService(deps: AuthServiceDeps): AuthService {
  const ctx: AuthContext = {
    deps,
    users: createUserRepository(deps.db),
    verificationRequired: deps.verification === "required",
  };
  const perEmail = oneAtATime();
  return {
    registerUser: (input, client) => perEmail.run(input.email.toLowerCase(), () => register(ctx, input, client)),
    loginUser: (input, client) => loginUser(ctx, input, client),
  };
}
