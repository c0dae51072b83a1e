import type { APIRoute } from "astro";
import { apiClientFor } from "../../../lib/api-client";
import { failure, json } from "../../../lib/passkey-endpoint";

/** POST /login/passkey/options: options for a usernameless sign-in, and their challenge's id (JSON). */
export const POST: APIRoute = async ({ cookies, locals, request }) => {
  const result = await apiClientFor(locals, request).passkeySignInOptions();
  return result.ok ? json(200, result.value) : failure(result.error, cookies, locals.secureCookies);
};
