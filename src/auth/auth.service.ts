import { AppError } from "../errors.js";
import type { LoginBody, RegisterBody } from "./auth.schemas.js";
import { PASSWORD_MAX_BYTES } from "./auth.schemas.js";
import type { PasswordHasher } from "./passwords.js";
import type { TokenSigner } from "./tokens.js";
import { toUser, type User } from "./user.js";
import type { UserRepository } from "./users.repository.js";

export interface AuthResult {
  token: string;
  user: User;
  expiresInSeconds: number;
}

export interface AuthService {
  registerUser(input: RegisterBody): Promise<AuthResult>;
  loginUser(input: LoginBody): Promise<AuthResult>;
  /** The user a bearer token names; UNAUTHORIZED when the token is bad or the user is gone. */
  authenticateToken(token: string): Promise<User>;
}

export interface AuthServiceDeps {
  users: UserRepository;
  passwords: PasswordHasher;
  tokens: TokenSigner;
  /** Told when a login re-hash fails; the login itself still succeeds. */
  onRehashError?: (error: unknown) => void;
}

const invalidCredentials = () => new AppError("INVALID_CREDENTIALS");

/** Registration, sign-in and token checks: the rules, with storage, hashing and signing passed in. */
export function createAuthService(deps: AuthServiceDeps): AuthService {
  const { users, passwords, tokens } = deps;

  function issue(user: User): AuthResult {
    return { token: tokens.signToken(user), user, expiresInSeconds: tokens.expiresInSeconds };
  }

  return {
    async registerUser(input) {
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
      return issue(toUser(row));
    },

    async loginUser(input) {
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
      return issue(toUser(row));
    },

    async authenticateToken(token) {
      const claims = tokens.verifyToken(token);
      const row = await users.findUserById(claims.sub);
      if (!row) throw new AppError("UNAUTHORIZED");
      return toUser(row);
    },
  };
}
