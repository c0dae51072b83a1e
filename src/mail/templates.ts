import { type RenderedMail, renderMail } from "./layout.js";
import type { MailKind } from "./outbox.js";

export type { RenderedMail } from "./layout.js";

/**
 * The mails, one function per kind. Callers build every link from PUBLIC_ORIGIN (never from a
 * request's Host) and pass how long it lives; templates only word and escape.
 */
export interface LinkMailInput {
  name: string;
  link: string;
  expiresInMinutes: number;
}

/** A link to an address nobody has proven yet: no name (anyone could have typed it). */
export type NeutralLinkMailInput = Omit<LinkMailInput, "name">;

export interface NoticeInput {
  name: string;
  /** Where to go when it wasn't them, e.g. `<PUBLIC_ORIGIN>/forgot-password`. */
  link?: string;
}

const SECURE_ACCOUNT = "If this wasn't you, reset your password at once to secure your account:";
const NOT_YOU_IGNORE = "If this wasn't you, you can ignore this email: nothing changes until the link is used.";

/** Shown with a link only when the caller gave one. */
function notYou(input: NoticeInput, withoutLink: string) {
  return input.link ? { advice: SECURE_ACCOUNT, adviceUrl: input.link } : { advice: withoutLink };
}

/** Goes to the address given at sign-up, not yet proven: it greets no one by name. */
export function verifyEmailMail(input: NeutralLinkMailInput): RenderedMail {
  return renderMail({
    subject: "Confirm your email address",
    paragraphs: ["Thanks for creating a Portico account. Confirm your email address to finish setting it up."],
    action: { label: "Confirm email address", url: input.link, expiresInMinutes: input.expiresInMinutes },
    advice: "If you didn't sign up for Portico, you can ignore this email: no account is confirmed without it.",
  });
}

export function passwordResetMail(input: LinkMailInput): RenderedMail {
  return renderMail({
    subject: "Reset your password",
    name: input.name,
    paragraphs: ["Someone asked to reset the password of your Portico account. Choose a new password here:"],
    action: { label: "Reset password", url: input.link, expiresInMinutes: input.expiresInMinutes },
    advice: "If this wasn't you, you can ignore this email: your password stays as it is.",
  });
}

export function passwordChangedMail(input: NoticeInput): RenderedMail {
  return renderMail({
    subject: "Your password was changed",
    name: input.name,
    paragraphs: ["The password of your Portico account was just changed. Log in with your new password from now on."],
    ...notYou(input, "If this wasn't you, reset your password at once from the Log in page to secure your account."),
  });
}

/** Goes to the new address, not yet proven: it greets no one by name. */
export function emailChangeMail(input: NeutralLinkMailInput & { newEmail: string }): RenderedMail {
  return renderMail({
    subject: "Confirm your new email address",
    paragraphs: [
      `Someone asked to use ${input.newEmail} as the email address of a Portico account.`,
      "Confirm it to make the change; until then the account keeps its current email address.",
    ],
    action: { label: "Confirm email address", url: input.link, expiresInMinutes: input.expiresInMinutes },
    advice: NOT_YOU_IGNORE,
  });
}

/**
 * Goes to the old address when a change is requested (SPEC §13), with a link that cancels the
 * change (`cancelLink`) until it is made.
 */
export function emailChangedNoticeMail(input: NoticeInput & { newEmail: string; cancelLink?: string }): RenderedMail {
  return renderMail({
    subject: "A change of your email address was requested",
    name: input.name,
    paragraphs: [
      `Someone asked to change the email address of your Portico account to ${input.newEmail}.`,
      "The change happens only when the link sent to that new address is used.",
      ...(input.cancelLink ? ["If you did not ask for this, cancel the change: the link stops it at once."] : []),
    ],
    ...(input.cancelLink && { action: { label: "Cancel this change", url: input.cancelLink } }),
    ...notYou(input, "If this wasn't you, reset your password at once from the Log in page to secure your account."),
  });
}

export function accountDeletedMail(input: NoticeInput): RenderedMail {
  return renderMail({
    subject: "Your account was deleted",
    name: input.name,
    paragraphs: [
      "Your Portico account and its data were deleted. You can sign up again with this email address at any time.",
    ],
    advice: "If this wasn't you, someone knew your password: change it wherever else you use it.",
  });
}

/** A new way to sign in: the notice's one-time "This wasn't me" link (SPEC §20). */
export interface NewFactorNoticeInput extends NoticeInput {
  revoke?: { url: string; expiresInMinutes: number };
}

/** "This wasn't me": the button that removes the new factor, then the advice to reset the password. */
function wasntMe(input: NewFactorNoticeInput, what: string) {
  if (!input.revoke) return { paragraphs: [] };
  return {
    paragraphs: [
      `If this wasn't you, use the button below at once: it removes ${what} and logs your account out everywhere. Then reset your password.`,
    ],
    action: { label: "This wasn't me", url: input.revoke.url, expiresInMinutes: input.revoke.expiresInMinutes },
  };
}

export function mfaEnabledMail(input: NewFactorNoticeInput): RenderedMail {
  const revoke = wasntMe(input, "two-factor authentication");
  return renderMail({
    subject: "Two-factor authentication is on",
    name: input.name,
    paragraphs: [
      "Two-factor authentication was turned on for your Portico account. To log in you now need a code from your authenticator app.",
      ...revoke.paragraphs,
    ],
    ...(revoke.action && { action: revoke.action }),
    ...notYou(input, "If this wasn't you, reset your password at once from the Log in page to secure your account."),
  });
}

export function mfaDisabledMail(input: NoticeInput): RenderedMail {
  return renderMail({
    subject: "Two-factor authentication is off",
    name: input.name,
    paragraphs: [
      "Two-factor authentication was turned off for your Portico account. Logging in now takes only your password.",
    ],
    ...notYou(input, "If this wasn't you, reset your password at once from the Log in page to secure your account."),
  });
}

export function passkeyAddedMail(input: NewFactorNoticeInput & { passkeyName?: string }): RenderedMail {
  const which = input.passkeyName ? ` (${input.passkeyName})` : "";
  const revoke = wasntMe(input, "this passkey");
  return renderMail({
    subject: "A passkey was added",
    name: input.name,
    paragraphs: [
      `A new passkey${which} was added to your Portico account. It can be used to log in.`,
      ...revoke.paragraphs,
    ],
    ...(revoke.action && { action: revoke.action }),
    ...notYou(input, "If this wasn't you, remove the passkey and reset your password at once from the Log in page."),
  });
}

export function passkeyRemovedMail(input: NoticeInput & { passkeyName?: string }): RenderedMail {
  const which = input.passkeyName ? ` (${input.passkeyName})` : "";
  return renderMail({
    subject: "A passkey was removed",
    name: input.name,
    paragraphs: [`A passkey${which} was removed from your Portico account. It can no longer be used to log in.`],
    ...notYou(input, "If this wasn't you, reset your password at once from the Log in page to secure your account."),
  });
}

/** Every kind's template, so a test (or a caller holding only a kind) can reach each one. */
export const MAIL_TEMPLATES = {
  verify_email: verifyEmailMail,
  password_reset: passwordResetMail,
  password_changed: passwordChangedMail,
  email_change: emailChangeMail,
  email_changed_notice: emailChangedNoticeMail,
  account_deleted: accountDeletedMail,
  mfa_enabled: mfaEnabledMail,
  mfa_disabled: mfaDisabledMail,
  passkey_added: passkeyAddedMail,
  passkey_removed: passkeyRemovedMail,
} satisfies Record<MailKind, (input: never) => RenderedMail>;
