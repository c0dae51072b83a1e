import type { APIRoute } from "astro";
import { apiClientFor } from "../../../lib/api-client";
import { failure, json, signedOut } from "../../../lib/passkey-endpoint";
import { sessionToken } from "../../../lib/session";

/** POST /account/passkeys/options: WebAuthn creation options for the signed-in person (JSON). */
export const POST: APIRoute = async ({ cookies, locals, request }) => {
  const token = sessionToken(cookies, locals.secureCookies);
  if (!token) return signedOut();
  const result = await apiClientFor(locals, request).passkeyRegistrationOptions(token);
  return result.ok ? json(200, result.value) : failure(result.error, cookies, locals.secureCookies);
};
