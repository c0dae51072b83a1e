import type { APIRoute } from "astro";
import { apiClientFor } from "../../../lib/api-client";
import { badRequest, failure, json, readJson, signedOut } from "../../../lib/passkey-endpoint";
import { sessionToken } from "../../../lib/session";

/**
 * POST /account/passkeys/options `{ password, code? }`: WebAuthn creation options for the
 * signed-in person (JSON), once the API checked the password (and the code, with TOTP on).
 */
export const POST: APIRoute = async ({ cookies, locals, request }) => {
  const token = sessionToken(cookies, locals.secureCookies);
  if (!token) return signedOut();
  const body = await readJson(request);
  if (!body) return badRequest();
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const code = text(body.code).trim();
  const result = await apiClientFor(locals, request).passkeyRegistrationOptions(token, {
    password: text(body.password),
    ...(code && { code }),
  });
  return result.ok ? json(200, result.value) : failure(result.error, cookies, locals.secureCookies);
};
