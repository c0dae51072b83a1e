import type { ApiCall, ApiResult } from "./api-request";
import type { Session } from "./api-types";

/**
 * The API's passkey endpoints (SPEC §11), part of the one API client (lib/api-client.ts spreads
 * them in). WebAuthn options and credentials pass through as JSON: the page script and the API
 * read them, the web server only carries them with the cookie's token.
 */

/** One passkey of the caller, without key material. */
export interface PasskeyInfo {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** A WebAuthn options or credential object in its JSON form. */
export type WebAuthnJson = Record<string, unknown>;

export interface PasskeySignInOptions {
  challengeId: string;
  options: WebAuthnJson;
}

export function passkeyCalls(call: ApiCall) {
  return {
    /**
     * POST /api/v1/auth/passkeys/options with the current password (and, with TOTP on, a code) →
     * creation options; the challenge stays in the API.
     */
    passkeyRegistrationOptions: (
      token: string,
      proof: { password: string; code?: string },
    ): Promise<ApiResult<{ options: WebAuthnJson }>> =>
      call("POST", "api/v1/auth/passkeys/options", { token, body: proof }),
    /** POST /api/v1/auth/passkeys → the new passkey. */
    addPasskey: (token: string, input: { response: WebAuthnJson; name?: string }) =>
      call<{ passkey: PasskeyInfo }>("POST", "api/v1/auth/passkeys", { token, body: input }),
    /** GET /api/v1/auth/passkeys → the caller's passkeys, oldest first. */
    listPasskeys: async (token: string): Promise<ApiResult<PasskeyInfo[]>> => {
      const result = await call<{ passkeys: PasskeyInfo[] }>("GET", "api/v1/auth/passkeys", { token });
      return result.ok ? { ok: true, value: result.value.passkeys } : result;
    },
    /** DELETE /api/v1/auth/passkeys/:id → 204; it no longer signs in. */
    removePasskey: (token: string, id: string): Promise<ApiResult<void>> =>
      call("DELETE", `api/v1/auth/passkeys/${encodeURIComponent(id)}`, { token }),
    /** POST /api/v1/auth/passkey/options → options for a usernameless sign-in, and their challenge's id. */
    passkeySignInOptions: (): Promise<ApiResult<PasskeySignInOptions>> => call("POST", "api/v1/auth/passkey/options"),
    /** POST /api/v1/auth/passkey/login → the user and a fresh token, like /login. */
    passkeyLogin: (input: { challengeId: string; response: WebAuthnJson }): Promise<ApiResult<Session>> =>
      call("POST", "api/v1/auth/passkey/login", { body: input }),
  };
}
