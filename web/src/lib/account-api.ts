import type { ApiCall, ApiResult } from "./api-request";
import type { SecurityEvent, User } from "./api-types";

/**
 * The API's calls behind the account settings: password, email address,
 * deletion, sessions, security log, TOTP. Part of the one API client (lib/api-client.ts spreads
 * them in).
 */

/** One live session of the caller (SPEC §6). */
export interface SessionInfo {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface MfaStatus {
  totp: boolean;
  recoveryCodesLeft: number;
}

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
}

export function accountCalls(call: ApiCall) {
  return {
    /** POST /api/v1/auth/password/change → 204; the caller's other sessions end. */
    changePassword: (
      token: string,
      input: { currentPassword: string; newPassword: string },
    ): Promise<ApiResult<void>> => call("POST", "api/v1/auth/password/change", { token, body: input }),
    /** POST /api/v1/auth/email/change → 202: a link goes to the new address; nothing changes yet. */
    requestEmailChange: (
      token: string,
      input: { newEmail: string; password: string },
    ): Promise<ApiResult<{ message: string }>> => call("POST", "api/v1/auth/email/change", { token, body: input }),
    /** POST /api/v1/auth/email/confirm → the user with the new address. Signs nobody in. */
    confirmEmailChange: (linkToken: string): Promise<ApiResult<{ user: User }>> =>
      call("POST", "api/v1/auth/email/confirm", { body: { token: linkToken } }),
    /** POST /api/v1/auth/email/change/cancel → 204: the pending change (the old address's notice) can no longer happen. */
    cancelEmailChange: (linkToken: string): Promise<ApiResult<void>> =>
      call("POST", "api/v1/auth/email/change/cancel", { body: { token: linkToken } }),
    /** DELETE /api/v1/auth/me → 204: the user and everything of theirs is gone. */
    deleteAccount: (token: string, password: string): Promise<ApiResult<void>> =>
      call("DELETE", "api/v1/auth/me", { token, body: { password } }),
    /** GET /api/v1/auth/sessions → the caller's live sessions, newest first. */
    listSessions: async (token: string): Promise<ApiResult<SessionInfo[]>> => {
      const result = await call<{ sessions: SessionInfo[] }>("GET", "api/v1/auth/sessions", { token });
      return result.ok ? { ok: true, value: result.value.sessions } : result;
    },
    /** DELETE /api/v1/auth/sessions/:id → 204 (the caller's own current one: a logout). */
    revokeSession: (token: string, id: string): Promise<ApiResult<void>> =>
      call("DELETE", `api/v1/auth/sessions/${encodeURIComponent(id)}`, { token }),
    /** POST /api/v1/auth/sessions/revoke-others → how many sessions ended. */
    revokeOtherSessions: (token: string): Promise<ApiResult<{ revoked: number }>> =>
      call("POST", "api/v1/auth/sessions/revoke-others", { token }),
    /** GET /api/v1/auth/events → the caller's last security events, newest first. */
    listEvents: async (token: string): Promise<ApiResult<SecurityEvent[]>> => {
      const result = await call<{ events: SecurityEvent[] }>("GET", "api/v1/auth/events", { token });
      return result.ok ? { ok: true, value: result.value.events } : result;
    },
    /** GET /api/v1/auth/mfa → whether TOTP is on, and how many recovery codes are left. */
    mfaStatus: (token: string): Promise<ApiResult<MfaStatus>> => call("GET", "api/v1/auth/mfa", { token }),
    /** POST /api/v1/auth/mfa/totp/setup → the pending secret: this session's of the last 15 minutes, else a new one. */
    setupTotp: (token: string): Promise<ApiResult<TotpSetup>> => call("POST", "api/v1/auth/mfa/totp/setup", { token }),
    /** POST /api/v1/auth/mfa/totp/enable (the code and the current password) → the ten recovery codes, shown once. */
    enableTotp: (
      token: string,
      input: { code: string; password: string },
    ): Promise<ApiResult<{ recoveryCodes: string[] }>> =>
      call("POST", "api/v1/auth/mfa/totp/enable", { token, body: input }),
    /** POST /api/v1/auth/factors/revoke: a "This wasn't me" link's token → what it removed; every session ends. */
    revokeFactor: (linkToken: string): Promise<ApiResult<{ removed: "totp" | "passkey" }>> =>
      call("POST", "api/v1/auth/factors/revoke", { body: { token: linkToken } }),
    /** POST /api/v1/auth/mfa/totp/disable → 204. */
    disableTotp: (token: string, password: string): Promise<ApiResult<void>> =>
      call("POST", "api/v1/auth/mfa/totp/disable", { token, body: { password } }),
  };
}
