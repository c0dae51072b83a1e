import { browserSupportsWebAuthn, startAuthentication, startRegistration } from "@simplewebauthn/browser";

/**
 * The one page script passkeys need (SPEC §13: the passkey button is the one control that needs
 * JavaScript). The controls are rendered `hidden` and shown here, only where WebAuthn works:
 * without JavaScript, or without WebAuthn, nobody is offered a button that cannot work.
 * It talks only to this site's own endpoints (the API token stays in its httpOnly cookie).
 */

interface Answer {
  code?: string;
  message?: string;
  redirect?: string;
  [key: string]: unknown;
}

async function post(path: string, body?: object): Promise<{ ok: boolean; answer: Answer }> {
  try {
    const response = await fetch(path, {
      method: "POST",
      credentials: "same-origin",
      headers: { accept: "application/json", ...(body && { "content-type": "application/json" }) },
      ...(body && { body: JSON.stringify(body) }),
    });
    const answer = (await response.json().catch(() => ({}))) as Answer;
    return { ok: response.ok, answer };
  } catch {
    return { ok: false, answer: {} };
  }
}

const SOMETHING_WRONG = "Something went wrong. Please try again.";

/** What a WebAuthn call's exception means to a person. */
function ceremonyMessage(error: unknown, adding: boolean): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === "InvalidStateError") return "This device already holds a passkey for your account.";
  if (name === "NotAllowedError" || name === "AbortError") {
    return adding
      ? "No passkey was added: it was cancelled, or your device could not confirm it was you."
      : "No passkey was used: it was cancelled, or your device could not confirm it was you.";
  }
  return SOMETHING_WRONG;
}

function show(status: Element | null, message: string): void {
  if (status) status.textContent = message;
}

/** Follows an answer's redirect (the dashboard, the list, or /login when the session ended). */
function follow(answer: Answer): boolean {
  if (typeof answer.redirect !== "string" || !answer.redirect.startsWith("/")) return false;
  window.location.assign(answer.redirect);
  return true;
}

async function signIn(button: HTMLButtonElement, status: Element | null, next: string | undefined): Promise<void> {
  const start = await post("/login/passkey/options");
  if (!start.ok) return show(status, start.answer.message ?? SOMETHING_WRONG);
  let response: unknown;
  try {
    response = await startAuthentication({ optionsJSON: start.answer.options as never });
  } catch (error) {
    return show(status, ceremonyMessage(error, false));
  }
  const done = await post("/login/passkey", { challengeId: start.answer.challengeId, response, next });
  if (done.ok && follow(done.answer)) return;
  show(status, done.answer.message ?? SOMETHING_WRONG);
  button.focus();
}

/** A form's text input by name, if it has one. */
const input = (form: HTMLFormElement, name: string) => form.elements.namedItem(name) as HTMLInputElement | null;

/** The field a refusal is about, marked invalid and focused (the message is in the status line). */
function markField(form: HTMLFormElement, code: string | undefined): void {
  const field = code === "INVALID_MFA_CODE" ? input(form, "code") : input(form, "password");
  for (const name of ["password", "code"]) input(form, name)?.removeAttribute("aria-invalid");
  if (!field || !["WRONG_PASSWORD", "MISSING_FIELDS", "INVALID_MFA_CODE"].includes(code ?? "")) return;
  field.setAttribute("aria-invalid", "true");
  field.focus();
}

async function addPasskey(form: HTMLFormElement, status: Element | null): Promise<void> {
  // SPEC §20: the current password (and, with TOTP on, a current code) starts the ceremony.
  const password = input(form, "password")?.value ?? "";
  const code = input(form, "code")?.value.trim() ?? "";
  const start = await post("/account/passkeys/options", { password, ...(code && { code }) });
  markField(form, start.ok ? undefined : start.answer.code);
  if (!start.ok) {
    if (follow(start.answer)) return;
    return show(status, start.answer.message ?? SOMETHING_WRONG);
  }
  let response: unknown;
  try {
    response = await startRegistration({ optionsJSON: start.answer.options as never });
  } catch (error) {
    return show(status, ceremonyMessage(error, true));
  }
  const name = input(form, "name")?.value ?? "";
  const done = await post("/account/passkeys", { response, name });
  if (follow(done.answer)) return;
  show(status, done.answer.message ?? SOMETHING_WRONG);
}

/** Runs one action at a time per control, with the control marked busy meanwhile. */
function whileBusy(control: HTMLButtonElement, action: () => Promise<void>): void {
  if (control.disabled) return;
  control.disabled = true;
  control.setAttribute("aria-busy", "true");
  action().finally(() => {
    control.disabled = false;
    control.removeAttribute("aria-busy");
  });
}

let setUp = false;

export function setUpPasskeys(): void {
  // Both components may load this: the controls get one listener each.
  if (setUp || !browserSupportsWebAuthn()) return;
  setUp = true;
  for (const root of document.querySelectorAll<HTMLElement>("[data-passkey-login]")) {
    const button = root.querySelector<HTMLButtonElement>("button");
    const status = root.querySelector("[data-passkey-status]");
    if (!button) continue;
    root.hidden = false;
    const next = root.dataset.next;
    button.addEventListener("click", () => whileBusy(button, () => signIn(button, status, next)));
  }
  for (const form of document.querySelectorAll<HTMLFormElement>("form[data-passkey-add]")) {
    const button = form.querySelector<HTMLButtonElement>("button[type=submit]");
    const status = form.querySelector("[data-passkey-status]");
    if (!button) continue;
    form.hidden = false;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      whileBusy(button, () => addPasskey(form, status));
    });
  }
}
