import type { AstroCookies } from "astro";

/** The cookie holding the API's token (a JWT). httpOnly: page scripts never see it. */
const SESSION_COOKIE = "portico_session";
/**
 * Its name with Secure cookies (production): browsers accept a `__Host-` cookie only with Secure,
 * Path=/ and no Domain, so no other host (a sibling subdomain, plain http) can set or overwrite it.
 */
const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;
const sessionCookie = (secure: boolean) => (secure ? SECURE_SESSION_COOKIE : SESSION_COOKIE);
/** Set by a registration, read once by the dashboard for its greeting. Holds no personal data. */
const WELCOME_COOKIE = "portico_welcome";

/** The token's claims, read without verifying: the API verifies. */
function tokenClaims(token: string): Record<string, unknown> | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    return typeof payload === "object" && payload !== null ? payload : undefined;
  } catch {
    return undefined;
  }
}

/** The token's `exp` (seconds since the epoch), read without verifying: the API verifies. */
function tokenExpiry(token: string): number | undefined {
  const exp = tokenClaims(token)?.exp;
  return typeof exp === "number" ? exp : undefined;
}

/** The token's `sid` (SPEC §6), read without verifying: which of the listed sessions is this browser's. */
export function tokenSessionId(token: string): string | undefined {
  const sid = tokenClaims(token)?.sid;
  return typeof sid === "string" ? sid : undefined;
}

/** Keeps the token in a cookie that lives exactly as long as the token. */
export function startSession(cookies: AstroCookies, token: string, secure: boolean): void {
  const expiry = tokenExpiry(token);
  cookies.set(sessionCookie(secure), token, {
    httpOnly: true,
    sameSite: "lax",
    secure,
    path: "/",
    ...(expiry !== undefined && { maxAge: Math.max(0, expiry - Math.floor(Date.now() / 1000)) }),
  });
}

export function endSession(cookies: AstroCookies, secure: boolean): void {
  cookies.delete(sessionCookie(secure), { httpOnly: true, sameSite: "lax", secure, path: "/" });
}

/** The token: from the `__Host-` cookie, else (unless `secure` says which) the plain one. */
export function sessionToken(cookies: AstroCookies, secure?: boolean): string | undefined {
  const hostOnly = secure !== false ? cookies.get(SECURE_SESSION_COOKIE)?.value : undefined;
  if (hostOnly || secure === true) return hostOnly || undefined;
  return cookies.get(SESSION_COOKIE)?.value || undefined;
}

/** True when there is a session cookie whose token has not expired (a hint for links only). */
export function looksSignedIn(cookies: AstroCookies): boolean {
  const token = sessionToken(cookies);
  const expiry = token && tokenExpiry(token);
  return typeof expiry === "number" && expiry > Date.now() / 1000;
}

export function setWelcome(cookies: AstroCookies, secure: boolean): void {
  cookies.set(WELCOME_COOKIE, "1", { httpOnly: true, sameSite: "lax", secure, path: "/dashboard", maxAge: 300 });
}

/** True once after a registration: the cookie is cleared as it is read. */
export function takeWelcome(cookies: AstroCookies, secure: boolean): boolean {
  if (!cookies.has(WELCOME_COOKIE)) return false;
  cookies.delete(WELCOME_COOKIE, { httpOnly: true, sameSite: "lax", secure, path: "/dashboard" });
  return true;
}
