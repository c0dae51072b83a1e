import { defineMiddleware } from "astro:middleware";
import { STATUS_CODES } from "node:http";
import { sessionToken } from "./lib/session";
import { markSignedOut } from "./lib/signed-out";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF: every form post must come from the site's own origin (browsers send `Origin` on every
 * POST). A post from elsewhere, or with no Origin at all, gets the 403 page and changes nothing.
 */
export const onRequest = defineMiddleware(async (context, next) => {
  const { request, locals } = context;
  if (!SAFE_METHODS.has(request.method) && !isOwnPost(request.headers, locals.siteOrigin)) {
    // A rewrite with a fresh GET request: the 403 page renders, the posted body is never read.
    return finish(await next(new Request(new URL("/403", context.url))));
  }
  const hadSession = sessionToken(context.cookies) !== undefined;
  const response = await next();
  // Whatever ended the session (Log out, a deleted account, a token the API refused): the next
  // page evicts the account pages from the back-forward cache (lib/signed-out.ts).
  if (hadSession && sessionToken(context.cookies) === undefined) markSignedOut(context.cookies, locals.secureCookies);
  return finish(response);
});

/**
 * True for a post sent by one of the site's own pages.
 *
 * A page under `Referrer-Policy: no-referrer` (the pages with a token in their URL) makes the
 * browser send `Origin: null` even on a same-origin post. `null` alone proves nothing (a sandboxed
 * frame or a data: URL on another site sends it too), so it counts only with
 * `Sec-Fetch-Site: same-origin`: the browser itself sets that header (a forbidden header name,
 * which no page can set or change), and says `cross-site` for those other senders.
 */
function isOwnPost(headers: Headers, siteOrigin: string): boolean {
  const origin = headers.get("origin");
  if (origin === siteOrigin) return true;
  return origin === "null" && headers.get("sec-fetch-site") === "same-origin";
}

/**
 * - The status line's reason matches the status (pages set only the number: "422 OK" otherwise).
 * - Pages, which show personal data and form values, stay out of shared and back-forward caches.
 * - `Referrer-Policy: same-origin` unless the page chose its own (the token pages choose
 *   `no-referrer`, see lib/token-page.ts): other sites get no referrer, and the site's own posts
 *   carry a real Origin.
 */
function finish(response: Response): Response {
  const headers = new Headers(response.headers);
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  if (!headers.has("referrer-policy")) headers.set("referrer-policy", "same-origin");
  if (headers.get("content-type") === "text/html") headers.set("content-type", "text/html; charset=utf-8");
  headers.delete("x-astro-rewrite");
  return new Response(response.body, {
    status: response.status,
    statusText: STATUS_CODES[response.status] ?? "",
    headers,
  });
}
