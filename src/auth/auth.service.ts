import { AppError } from "../errors.js";
import type { ClientInfo } from "../http/client-info.js";
import type { SessionService } from "../sessions/sessions.service.js";
import type { PasswordHasher } from "../users/passwords.js";
import { toUser, type User } from "../users/user.js";
import type { UserRepository } from "../users/users.repository.js";
import type { LoginBody, RegisterBody } from "./auth.schemas.js";
import { PASSWORD_MAX_BYTES } from "./auth.schemas.js";

export interface AuthResult {
  token: string;
  user: User;
}

export interface AuthService {
  /** A new user and their first session. */
  registerUser(input: RegisterBody, client: ClientInfo): Promise<AuthResult>;
  /** A new session for the owner of the e-mail and password. */
  loginUser(input: LoginBody, client: ClientInfo): Promise<AuthResult>;
}

export interface AuthServiceDeps {
  users: UserRepository;
  passwords: PasswordHasher;
  sessions: SessionService;
  /** Told when a login re-hash fails; the login itself still succeeds. */
  onRehashError?: (error: unknown) => void;
}

const invalidCredentials = () => new AppError("INVALID_CREDENTIALS");

/** Registration, sign-in and token checks: the rules, with storage, hashing and signing passed in. */
export function createAuthService(deps: AuthServiceDeps): AuthService {
  const { users, passwords, sessions } = deps;

  async function signIn(user: User, client: ClientInfo): Promise<AuthResult> {
    const { token } = await sessions.createSession(user, "password", client);
    return { token, user };
  }

  return {
    async registerUser(input, client) {
      // A duplicate costs no bcrypt work. The unique index still decides a race (see createUser).
      if (await users.findUserByEmail(input.email)) throw new AppError("EMAIL_TAKEN");
      // Hash with no connection or transaction held: it takes ~250 ms at cost 12.
      const passwordHash = await passwords.hashPassword(input.password);
      const firstName = input.firstName ?? null;
      const lastName = input.lastName ?? null;
      const row = await users.createUser({
        email: input.email,
        name: input.name ?? `${firstName} ${lastName}`,
        firstName,
        lastName,
        passwordHash,
      });
      return signIn(toUser(row), client);
    },

    async loginUser(input, client) {
      const row = await users.findUserByEmail(input.email);
      // bcrypt reads only 72 bytes: a longer password must not match a stored prefix of it.
      const tooLong = Buffer.byteLength(input.password, "utf8") > PASSWORD_MAX_BYTES;
      if (!row || tooLong) {
        await passwords.burnVerify(input.password);
        throw invalidCredentials();
      }
      if (!(await passwords.verifyPassword(input.password, row.password_hash))) throw invalidCredentials();
      if (passwords.needsRehash(row.password_hash)) {
        try {
          const upgraded = await passwords.hashPassword(input.password);
          await users.updatePasswordHash(row.id, row.password_hash, upgraded);
        } catch (error) {
          deps.onRehashError?.(error);
        }
      }
      return signIn(toUser(row), client);
    },
  };
}
