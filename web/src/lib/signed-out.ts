import type { AstroCookies } from "astro";

/**
 * Account pages out of the back-forward cache after a logout, without JavaScript.
 *
 * Chromium keeps `Cache-Control: no-store` pages in its back-forward cache and evicts them when a
 * cookie of the site changes while they are in it (reason `CacheControlNoStoreCookieModified`).
 * The logout's own Set-Cookie does not count: it arrives with the answer to the form post, while
 * the dashboard is still the current page, before it is put in the cache. So a logout also sets
 * this marker; the page it leads to (any page, see Layout.astro) then asks for SIGNED_OUT_PATH,
 * whose answer deletes the marker: a cookie change after the dashboard went into the cache, which
 * evicts it (and every other page of the site in the cache). Back then loads the page afresh, and
 * without a session the server sends /login. scripts/fresh-on-back.ts does the same with
 * JavaScript for browsers that ignore the cookie change.
 */
const SIGNED_OUT_COOKIE = "portico_signed_out";
/** A stylesheet (empty): the one kind of subresource a page loads at once, without JavaScript. */
export const SIGNED_OUT_PATH = "/logout/done";

const options = (secure: boolean) => ({ httpOnly: true, sameSite: "lax" as const, secure, path: "/" });

export function markSignedOut(cookies: AstroCookies, secure: boolean): void {
  // A minute is plenty for the redirect after the logout; the marker holds no personal data.
  cookies.set(SIGNED_OUT_COOKIE, "1", { ...options(secure), maxAge: 60 });
}

export function wasJustSignedOut(cookies: AstroCookies): boolean {
  return cookies.has(SIGNED_OUT_COOKIE);
}

export function clearSignedOut(cookies: AstroCookies, secure: boolean): void {
  cookies.delete(SIGNED_OUT_COOKIE, options(secure));
}

/**
 * Set by POST /logout, read once by the page it leads to (/), which then says "You have logged
 * out" (issue 15, item 5). Apart from the marker above, which every end of a session sets (a token
 * the API refused, a deleted account) and which the stylesheet clears before any page reads it.
 */
const LOGGED_OUT_COOKIE = "portico_logged_out";

export function setLoggedOut(cookies: AstroCookies, secure: boolean): void {
  cookies.set(LOGGED_OUT_COOKIE, "1", { ...options(secure), maxAge: 60 });
}

/** True once after a logout: the cookie is cleared as it is read. */
export function takeLoggedOut(cookies: AstroCookies, secure: boolean): boolean {
  if (!cookies.has(LOGGED_OUT_COOKIE)) return false;
  cookies.delete(LOGGED_OUT_COOKIE, options(secure));
  return true;
}
