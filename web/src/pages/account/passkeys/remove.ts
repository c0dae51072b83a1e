import type { APIRoute } from "astro";
import { apiClientFor } from "../../../lib/api-client";
import { readForm, textField } from "../../../lib/form-errors";
import { endSession, sessionToken } from "../../../lib/session";

/**
 * POST /account/passkeys/remove (a plain form, no JavaScript): removes one of the person's
 * passkeys, then a 303 back to the list, which says what happened (`?passkey=`, no personal data).
 */
export const POST: APIRoute = async ({ cookies, locals, request, redirect }) => {
  const token = sessionToken(cookies, locals.secureCookies);
  if (!token) return redirect("/login", 303);
  const id = textField(await readForm(request), "passkeyId");
  const result = await apiClientFor(locals, request).removePasskey(token, id);
  if (!result.ok && result.error.code === "UNAUTHORIZED") {
    endSession(cookies, locals.secureCookies);
    return redirect("/login", 303);
  }
  const outcome = result.ok ? "removed" : result.error.code === "NOT_FOUND" ? "gone" : "error";
  return redirect(`/account?passkey=${outcome}#passkeys-title`, 303);
};
