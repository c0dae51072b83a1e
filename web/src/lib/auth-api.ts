import type { ApiCall, ApiResult } from "./api-request";
import type { Session, User } from "./api-types";

/**
 * The API's calls for signing up, logging in and out, and the links mailed for that: part
 * of the one API client (lib/api-client.ts spreads them in).
 */

/** A registration: no token (no session) when EMAIL_VERIFICATION=required (SPEC §7). */
interface Registration {
  token: string | null;
  user: User;
}

/** POST /email/verification: 202 a new link is on its way, or 200 the address was verified already. */
type ResendResult = { sent: true } | { sent: false; user: User };

/** POST /login with TOTP on: no session yet, a ticket for the second step (SPEC §11). */
interface MfaChallenge {
  mfaRequired: true;
  mfaToken: string;
}

interface RegisterInput {
  email: string;
  password: string;
  firstName: string;
  lastName: string;
}

interface LoginInput {
  email: string;
  password: string;
}

export function authCalls(call: ApiCall) {
  return {
    /** POST /api/v1/auth/register → the new user and their token. */
    registerUser: (input: RegisterInput): Promise<ApiResult<Registration>> =>
      call("POST", "api/v1/auth/register", { body: input }),
    /** POST /api/v1/auth/login → the user and a fresh token, or (TOTP on) a ticket for the second step. */
    loginUser: (input: LoginInput): Promise<ApiResult<Session | MfaChallenge>> =>
      call("POST", "api/v1/auth/login", { body: input }),
    /** POST /api/v1/auth/mfa/verify → the login's second step: a TOTP or recovery code for the ticket. */
    verifyMfa: (input: { mfaToken: string; code: string }): Promise<ApiResult<Session>> =>
      call("POST", "api/v1/auth/mfa/verify", { body: input }),
    /** GET /api/v1/auth/me → the user the token belongs to. */
    getCurrentUser: async (token: string): Promise<ApiResult<User>> => {
      const result = await call<{ user: User }>("GET", "api/v1/auth/me", { token });
      return result.ok ? { ok: true, value: result.value.user } : result;
    },
    /** POST /api/v1/auth/logout → the session this token names ends. */
    logout: (token: string): Promise<ApiResult<void>> => call("POST", "api/v1/auth/logout", { token }),
    /** POST /api/v1/auth/email/verify → the user, now verified. Signs nobody in. */
    verifyEmail: (linkToken: string): Promise<ApiResult<{ user: User }>> =>
      call("POST", "api/v1/auth/email/verify", { body: { token: linkToken } }),
    /** POST /api/v1/auth/email/verification → a new verification link is mailed (unless verified already). */
    resendVerification: async (token: string): Promise<ApiResult<ResendResult>> => {
      const result = await call<{ message: string } | { user: User }>("POST", "api/v1/auth/email/verification", {
        token,
      });
      if (!result.ok) return result;
      return { ok: true, value: "user" in result.value ? { sent: false, user: result.value.user } : { sent: true } };
    },
    /** POST /api/v1/auth/password/forgot → the same message whether or not the account exists. */
    forgotPassword: (email: string): Promise<ApiResult<{ message: string }>> =>
      call("POST", "api/v1/auth/password/forgot", { body: { email } }),
    /** POST /api/v1/auth/password/reset → 204; every session of the user ends. Signs nobody in. */
    resetPassword: (input: { token: string; password: string }): Promise<ApiResult<void>> =>
      call("POST", "api/v1/auth/password/reset", { body: input }),
  };
}
