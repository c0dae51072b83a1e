import { passkeyCalls } from "./passkeys-api";

/**
 * All HTTP between the web client and the API, in one place (seed 000: "the client server makes
 * an API call to the register endpoint"). The base URL is configurable, so the pages and the API
 * can run in one process (the default) or apart.
 */

/** The API's public user (src/auth/user.ts) as it arrives in JSON: the web client owns its own copy. */
export interface User {
  id: string;
  email: string;
  name: string;
  firstName: string | null;
  lastName: string | null;
  role: "user" | "admin";
  isAdmin: boolean;
  emailVerified: boolean;
  createdAt: string;
}

interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

/** SPEC §1's error shape; a network failure becomes SERVICE_UNAVAILABLE. */
export interface ApiError {
  statusCode: number;
  code: string;
  message: string;
  details?: FieldProblem[];
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; error: ApiError };

export interface Session {
  token: string;
  user: User;
}

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

/** One live session of the caller (SPEC §6). */
interface SessionInfo {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

/** One entry of the caller's security log (SPEC §9). */
interface SecurityEvent {
  type: string;
  createdAt: string;
  ip: string | null;
  userAgent: string | null;
}

interface MfaStatus {
  totp: boolean;
  recoveryCodesLeft: number;
}

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
}

interface ApiClientOptions {
  baseUrl: string;
  /** Sent as X-Forwarded-For: the API counts rate limits per person when it trusts this hop. */
  clientAddress?: string | undefined;
  /** Sent as X-Portico-Client: the API of this process takes the browser's address from it. */
  clientProof?: string | undefined;
  /** The browser's User-Agent, so that the sessions and security events name the person's device, not this server. */
  userAgent?: string | undefined;
  requestId?: string | undefined;
  /** Told when the API cannot be reached or answers something that is not SPEC's JSON. */
  onFailure?: (details: object, message: string) => void;
  timeoutMs?: number;
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

const UNAVAILABLE: ApiError = {
  statusCode: 503,
  code: "SERVICE_UNAVAILABLE",
  message: "Service temporarily unavailable",
};

function isApiError(value: unknown): value is ApiError {
  const v = value as Partial<ApiError> | null;
  return typeof v?.code === "string" && typeof v.message === "string" && typeof v.statusCode === "number";
}

function createApiClient(options: ApiClientOptions) {
  const base = options.baseUrl.endsWith("/") ? options.baseUrl : `${options.baseUrl}/`;

  async function call<T>(
    method: "GET" | "POST" | "DELETE",
    path: string,
    init: { body?: object; token?: string } = {},
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (init.body) headers["content-type"] = "application/json";
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    if (options.clientAddress) headers["x-forwarded-for"] = options.clientAddress;
    if (options.clientProof) headers["x-portico-client"] = options.clientProof;
    if (options.userAgent) headers["user-agent"] = options.userAgent;
    if (options.requestId) headers["x-request-id"] = options.requestId;
    const url = new URL(path, base);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(init.body && { body: JSON.stringify(init.body) }),
        redirect: "error",
        signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
      });
    } catch (error) {
      options.onFailure?.({ err: error, api: url.origin }, "API unreachable");
      return { ok: false, error: UNAVAILABLE } as const;
    }
    if (response.status === 204) return { ok: true, value: undefined as T } as const;
    const payload: unknown = await response.json().catch(() => undefined);
    if (response.ok && payload !== undefined) return { ok: true, value: payload as T } as const;
    if (isApiError(payload)) return { ok: false, error: payload } as const;
    options.onFailure?.({ status: response.status, api: url.origin }, "unexpected API answer");
    return { ok: false, error: UNAVAILABLE } as const;
  }

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
    /** POST /api/v1/auth/mfa/totp/setup → a new pending secret (replacing a pending one). */
    setupTotp: (token: string): Promise<ApiResult<TotpSetup>> => call("POST", "api/v1/auth/mfa/totp/setup", { token }),
    /** POST /api/v1/auth/mfa/totp/enable → the ten recovery codes, shown once. */
    enableTotp: (token: string, code: string): Promise<ApiResult<{ recoveryCodes: string[] }>> =>
      call("POST", "api/v1/auth/mfa/totp/enable", { token, body: { code } }),
    /** POST /api/v1/auth/mfa/totp/disable → 204. */
    disableTotp: (token: string, password: string): Promise<ApiResult<void>> =>
      call("POST", "api/v1/auth/mfa/totp/disable", { token, body: { password } }),
    ...passkeyCalls(call),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * The API client for this page request, set up from what the mount passed in. With the request,
 * the browser's User-Agent goes along (the API records it with each session and security event).
 */
export function apiClientFor(locals: App.Locals, request?: Request): ApiClient {
  return createApiClient({
    baseUrl: locals.apiBaseUrl,
    clientAddress: locals.clientAddress,
    clientProof: locals.clientProof,
    userAgent: request?.headers.get("user-agent") ?? undefined,
    requestId: locals.requestId,
    onFailure: (details, message) => locals.log?.warn(details, message),
  });
}
