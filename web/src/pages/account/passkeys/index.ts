import type { APIRoute } from "astro";
import { apiClientFor } from "../../../lib/api-client";
import { badRequest, credentialOf, failure, json, readJson, signedOut } from "../../../lib/passkey-endpoint";
import { sessionToken } from "../../../lib/session";

/** POST /account/passkeys `{ response, name }`: stores the passkey the browser just made (JSON). */
export const POST: APIRoute = async ({ cookies, locals, request }) => {
  const token = sessionToken(cookies, locals.secureCookies);
  if (!token) return signedOut();
  const body = await readJson(request);
  const response = body && credentialOf(body);
  if (!body || !response) return badRequest();
  const name = typeof body.name === "string" && body.name.trim() !== "" ? body.name : undefined;
  const result = await apiClientFor(locals, request).addPasskey(token, {
    response,
    ...(name !== undefined && { name }),
  });
  if (!result.ok) return failure(result.error, cookies, locals.secureCookies);
  return json(201, { passkey: result.value.passkey, redirect: "/account?passkey=added#passkeys-title" });
};
