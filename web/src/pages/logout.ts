import type { APIRoute } from "astro";
import { apiClientFor } from "../lib/api-client";
import { endSession, sessionToken } from "../lib/session";

/**
 * POST /logout (the middleware has checked the Origin): ends the session in the API, so the token
 * stops working everywhere, then forgets the cookie and goes home. The cookie goes even when the
 * API cannot be reached: this browser is signed out whatever happens.
 */
export const POST: APIRoute = async ({ cookies, locals, redirect }) => {
  const token = sessionToken(cookies);
  if (token) {
    const result = await apiClientFor(locals).logout(token);
    if (!result.ok && result.error.code !== "UNAUTHORIZED") {
      locals.log?.warn({ code: result.error.code }, "logout: the API did not end the session");
    }
  }
  endSession(cookies, locals.secureCookies);
  return redirect("/", 303);
};
