import type { APIRoute } from "astro";
import { clearSignedOut } from "../../lib/signed-out";

/**
 * GET /logout/done: the empty stylesheet a page links to just after a logout (Layout.astro). Its
 * answer deletes the marker cookie, a cookie change that evicts the account pages from the
 * back-forward cache (see lib/signed-out.ts).
 */
export const GET: APIRoute = ({ cookies, locals }) => {
  clearSignedOut(cookies, locals.secureCookies);
  return new Response("", { headers: { "content-type": "text/css; charset=utf-8", "cache-control": "no-store" } });
};
