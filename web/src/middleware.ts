import { defineMiddleware } from "astro:middleware";
import { STATUS_CODES } from "node:http";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * CSRF: every form post must come from the site's own origin (browsers send `Origin` on every
 * POST). A post from elsewhere, or with no Origin at all, gets the 403 page and changes nothing.
 */
export const onRequest = defineMiddleware(async (context, next) => {
  const { request, locals } = context;
  if (!SAFE_METHODS.has(request.method) && request.headers.get("origin") !== locals.siteOrigin) {
    // A rewrite with a fresh GET request: the 403 page renders, the posted body is never read.
    return finish(await next(new Request(new URL("/403", context.url))));
  }
  return finish(await next());
});

/**
 * - The status line's reason matches the status (pages set only the number: "422 OK" otherwise).
 * - Pages, which show personal data and form values, stay out of shared and back-forward caches.
 * - `Referrer-Policy: same-origin`, not `no-referrer`: under `no-referrer` browsers send
 *   `Origin: null` even on same-origin form posts, and the check above would refuse them all.
 *   Other sites still get no referrer.
 */
function finish(response: Response): Response {
  const headers = new Headers(response.headers);
  if (!headers.has("cache-control")) headers.set("cache-control", "no-store");
  headers.set("referrer-policy", "same-origin");
  if (headers.get("content-type") === "text/html") headers.set("content-type", "text/html; charset=utf-8");
  headers.delete("x-astro-rewrite");
  return new Response(response.body, {
    status: response.status,
    statusText: STATUS_CODES[response.status] ?? "",
    headers,
  });
}
