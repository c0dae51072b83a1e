import type { AstroCookies } from "astro";
import { type DoneKey, sessionId, setPendingEmail } from "./account";
import type { ApiClient } from "./api-client";
import type { ApiError } from "./api-request";
import { type FormErrors, readForm, textField, toFormErrors } from "./form-errors";
import { endSession, tokenSessionId } from "./session";

/**
 * The forms of /account (SPEC §12): each posts to /account with a hidden `action` naming it, and
 * each action has one handler below. A success is a 303 to /account?done=<key> (never personal
 * data in the query); an error shows the page again with the GOV.UK pattern on that form. Field
 * names are the API's; element ids are the page's, unique on it.
 */

/** What the page does with a posted form. */
export type AccountOutcome =
  /** A 303 to `to`. */
  | { kind: "redirect"; to: string }
  /** Expired, tampered with, revoked, or the user is gone: start again from the login page. */
  | { kind: "sign-out" }
  /** The page again with this status and these errors; `newEmail` is the change-email form's value. */
  | { kind: "show"; status: number; errors: FormErrors; newEmail?: string };

/** What a handler works with: the API, the session and this browser's cookies. */
export interface AccountRequest {
  api: ApiClient;
  token: string;
  cookies: AstroCookies;
  secureCookies: boolean;
}

type Handler = (request: AccountRequest, form: FormData) => Promise<AccountOutcome>;

/** The API's field → the ids of the page's inputs, per form. */
const INPUTS = {
  password: { currentPassword: ["currentPassword"], password: ["currentPassword"], newPassword: ["newPassword"] },
  email: { newEmail: ["newEmail"], email: ["newEmail"], password: ["email-password"] },
  totpOff: { password: ["totp-password"] },
  delete: { password: ["delete-password"] },
};

const CONFIRM_DELETE = "Tick the box to confirm that you want to delete your account.";

const done = (key: DoneKey): AccountOutcome => ({ kind: "redirect", to: `/account?done=${key}` });

/** The API said no: signed out when the session is gone, else the form again with the API's errors. */
function refused(error: ApiError, inputsOf: Record<string, string[]>): AccountOutcome {
  if (error.code === "UNAUTHORIZED") return { kind: "sign-out" };
  return { kind: "show", status: error.statusCode, errors: toFormErrors(error, inputsOf) };
}

const changePassword: Handler = async ({ api, token }, form) => {
  const result = await api.changePassword(token, {
    currentPassword: textField(form, "currentPassword"),
    newPassword: textField(form, "newPassword"),
  });
  return result.ok ? done("password") : refused(result.error, INPUTS.password);
};

const changeEmail: Handler = async ({ api, token, cookies, secureCookies }, form) => {
  const newEmail = textField(form, "newEmail");
  const result = await api.requestEmailChange(token, { newEmail, password: textField(form, "password") });
  if (!result.ok) {
    const outcome = refused(result.error, INPUTS.email);
    return outcome.kind === "show" ? { ...outcome, newEmail } : outcome;
  }
  // The address goes to the notice in a short-lived cookie for this page, never in the URL.
  setPendingEmail(cookies, newEmail.trim(), secureCookies);
  return done("email");
};

const signOutSession: Handler = async ({ api, token, cookies, secureCookies }, form) => {
  const id = sessionId(textField(form, "sessionId"));
  const result = id ? await api.revokeSession(token, id) : undefined;
  if (result?.ok) {
    // This browser's own session: a logout, like POST /logout.
    if (id !== tokenSessionId(token)) return done("session");
    endSession(cookies, secureCookies);
    return { kind: "redirect", to: "/" };
  }
  if (result && result.error.code !== "NOT_FOUND") return refused(result.error, {});
  return { kind: "show", status: 404, errors: { fields: {}, summary: [{ text: "That session has already ended." }] } };
};

const signOutOthers: Handler = async ({ api, token }) => {
  const result = await api.revokeOtherSessions(token);
  return result.ok ? done("others") : refused(result.error, {});
};

const disableTotp: Handler = async ({ api, token }, form) => {
  const result = await api.disableTotp(token, textField(form, "password"));
  return result.ok ? done("totp-off") : refused(result.error, INPUTS.totpOff);
};

const deleteAccount: Handler = async ({ api, token, cookies, secureCookies }, form) => {
  if (textField(form, "confirm") !== "yes") {
    // Checked here, before the API: nothing is deleted without the tick.
    const errors = {
      fields: { "delete-confirm": CONFIRM_DELETE },
      summary: [{ text: CONFIRM_DELETE, href: "#delete-confirm" }],
    };
    return { kind: "show", status: 422, errors };
  }
  const result = await api.deleteAccount(token, textField(form, "password"));
  if (!result.ok) return refused(result.error, INPUTS.delete);
  endSession(cookies, secureCookies);
  return { kind: "redirect", to: "/?deleted=1" };
};

/** Each form's `action` → its handler. */
const HANDLERS: Record<string, Handler> = {
  "change-password": changePassword,
  "change-email": changeEmail,
  "sign-out-session": signOutSession,
  "sign-out-others": signOutOthers,
  "totp-disable": disableTotp,
  "delete-account": deleteAccount,
};

/** Handles a form posted to /account; an unknown `action` goes back to the page (303). */
export async function handleAccountPost(request: Request, account: AccountRequest): Promise<AccountOutcome> {
  const form = await readForm(request);
  const action = textField(form, "action");
  const handler = Object.hasOwn(HANDLERS, action) ? HANDLERS[action] : undefined;
  return handler ? handler(account, form) : { kind: "redirect", to: "/account" };
}
