import type { APIRoute } from "astro";
import { apiClientFor } from "../../../lib/api-client";
import { badRequest, credentialOf, failure, json, readJson } from "../../../lib/passkey-endpoint";
import { afterLogin } from "../../../lib/return-to";
import { startSession } from "../../../lib/session";

/**
 * POST /login/passkey `{ challengeId, response, next? }`: logs in with the passkey the browser
 * chose. On success the session cookie is set exactly as /login sets it, and the script goes on
 * to `next` when it is a path of this site (lib/return-to.ts), else to the dashboard.
 */
export const POST: APIRoute = async ({ cookies, locals, request }) => {
  const body = await readJson(request);
  const response = body && credentialOf(body);
  if (!body || !response || typeof body.challengeId !== "string") return badRequest();
  const result = await apiClientFor(locals, request).passkeyLogin({ challengeId: body.challengeId, response });
  if (!result.ok) return failure(result.error, cookies, locals.secureCookies);
  startSession(cookies, result.value.token, locals.secureCookies);
  return json(200, { redirect: afterLogin(body.next) });
};
