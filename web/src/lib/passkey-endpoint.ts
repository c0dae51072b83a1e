import type { AstroCookies } from "astro";
import type { ApiError } from "./api-request";
import { endSession } from "./session";

/**
 * The JSON endpoints the passkey script calls (pages/account/passkeys/*, pages/login/passkey/*).
 * The API's token lives in an httpOnly cookie, so the browser talks to these, same-origin
 * (src/middleware.ts checks the Origin of every post), and they call the API with the token.
 * Errors answer `{ code, message }` with the API's status; the message is for people.
 */

const MESSAGES: Record<string, string> = {
  INVALID_PASSKEY:
    "We could not log you in with that passkey. Try again, or log in with your email address and password.",
  PASSKEY_REJECTED: "That passkey could not be added. Please try again.",
  EMAIL_NOT_VERIFIED: "Confirm your email address first: open the link we sent you when you created your account.",
  NAME_TOO_LONG: "The passkey's name must be at most 64 characters.",
  RATE_LIMITED: "Too many attempts. Please wait a few minutes and try again.",
  WRONG_PASSWORD: "Current password is incorrect. Enter the password you log in with.",
  MISSING_FIELDS: "Enter your password to add a passkey.",
  INVALID_MFA_CODE: "Enter the 6-digit code your authenticator app shows now.",
  REAUTHENTICATION_REQUIRED: "Log in again to continue.",
  UNAUTHORIZED: "You have been logged out. Log in again to continue.",
};

export function json(status: number, body: object): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

/** The API's refusal, in words; a session that ended also clears the cookie and sends to /login. */
export function failure(error: ApiError, cookies: AstroCookies, secureCookies: boolean): Response {
  const message = MESSAGES[error.code] ?? error.message ?? "Something went wrong. Please try again.";
  if (error.code === "UNAUTHORIZED") {
    endSession(cookies, secureCookies);
    return json(401, { code: error.code, message, redirect: "/login" });
  }
  const detail = error.code === "PASSKEY_REJECTED" && error.message !== "The passkey could not be added";
  return json(error.statusCode, { code: error.code, message: detail ? error.message : message });
}

export const signedOut = () => json(401, { code: "UNAUTHORIZED", message: MESSAGES.UNAUTHORIZED, redirect: "/login" });

/** The posted JSON object, or undefined when the body is not one. */
export async function readJson(request: Request): Promise<Record<string, unknown> | undefined> {
  if (!request.headers.get("content-type")?.startsWith("application/json")) return undefined;
  try {
    const value: unknown = await request.json();
    return value !== null && typeof value === "object" && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export const badRequest = () =>
  json(400, { code: "MALFORMED_JSON", message: "Something went wrong. Please try again." });

/** A WebAuthn credential as the script posts it: an object (the API checks the rest). */
export function credentialOf(body: Record<string, unknown>): Record<string, unknown> | undefined {
  const value = body.response;
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
