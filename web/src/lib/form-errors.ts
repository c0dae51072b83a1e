import type { ApiError } from "./api-request";

/** Seed 001's display messages, and plain ones for the other codes. */
const DISPLAY_MESSAGES: Record<string, string> = {
  EMAIL_TAKEN: "This email is already registered.",
  INVALID_EMAIL: "Please enter a valid email address.",
  WEAK_PASSWORD: "Password must be at least 8 characters.",
  MISSING_FIELDS: "Please fill in all required fields.",
  INVALID_NAME: "Names must contain only letters.",
  PASSWORD_TOO_LONG: "Password must be at most 72 bytes (72 plain letters, fewer with accents or symbols).",
  PASSWORD_TOO_COMMON: "This password is too common. Choose one that is harder to guess.",
  NAME_TOO_LONG: "Names must be at most 100 characters.",
  INVALID_TYPE: "Please check this field.",
  INVALID_CREDENTIALS: "Invalid email or password.",
  EMAIL_NOT_VERIFIED: "Confirm your email address first: open the link we sent you when you created your account.",
  INVALID_TOKEN: "This link is invalid or has expired.",
  WRONG_PASSWORD: "Current password is incorrect.",
  REAUTHENTICATION_REQUIRED: "Log in again to continue.",
  INVALID_MFA_CODE: "Invalid authentication code.",
  MFA_ALREADY_ENABLED: "Two-factor authentication is already on.",
  RATE_LIMITED: "Too many attempts. Please wait a few minutes and try again.",
  OVERLOADED: "The service is busy. Please try again in a moment.",
  SERVICE_UNAVAILABLE: "The service is temporarily unavailable. Please try again in a moment.",
};

/** Errors that carry no `details` but still concern one field. */
const FIELD_OF_CODE: Record<string, string> = {
  EMAIL_TAKEN: "email",
  INVALID_CREDENTIALS: "email",
  WRONG_PASSWORD: "password",
  INVALID_MFA_CODE: "code",
};

/**
 * What is missing, said beside each empty field (the GOV.UK pattern), by input id. The error
 * summary keeps seed 001's one sentence for them all ("Please fill in all required fields.").
 * A form whose words differ (a new password, not yours) passes its own to toFormErrors.
 */
const MISSING_MESSAGES: Record<string, string> = {
  email: "Enter your email address",
  firstName: "Enter your first name",
  lastName: "Enter your last name",
  password: "Enter your password",
  currentPassword: "Enter your current password",
  newPassword: "Enter a new password",
  newEmail: "Enter your new email address",
  "email-password": "Enter your password",
  "totp-password": "Enter your password",
  "delete-password": "Enter your password",
  code: "Enter the code from your authenticator app",
};

export function displayMessage(code: string): string {
  return DISPLAY_MESSAGES[code] ?? "Something went wrong. Please try again.";
}

export interface SummaryItem {
  text: string;
  /** The field the item links to; none for a problem with the whole form (busy, unavailable). */
  href?: string;
}

export interface FormErrors {
  /** The message beside each field, by input name. */
  fields: Record<string, string>;
  /** The error summary, in the form's order; a message shared by several fields is listed once. */
  summary: SummaryItem[];
}

/**
 * Turns an API error into what a form shows (the GOV.UK error pattern): a message beside each
 * field and a summary at the top. `inputsOf` maps an API field to the form's inputs, in the
 * form's order: a missing `name` concerns both name inputs. An empty field says what it needs
 * ("Enter your email address"; `missing` overrides the words by input id), and the summary says
 * seed 001's "Please fill in all required fields." once, linked to the first empty field.
 */
export function toFormErrors(
  error: ApiError,
  inputsOf: Record<string, string[]>,
  missing: Record<string, string> = {},
): FormErrors {
  const problems = error.details?.length
    ? error.details
    : [{ field: FIELD_OF_CODE[error.code] ?? "", code: error.code }];
  const fields: Record<string, string> = {};
  const empty = new Set<string>();
  const formLevel: string[] = [];
  for (const problem of problems) {
    const inputs = inputsOf[problem.field] ?? [];
    if (inputs.length === 0) formLevel.push(displayMessage(problem.code));
    for (const input of inputs) {
      if (fields[input] !== undefined) continue;
      if (problem.code === "MISSING_FIELDS") {
        empty.add(input);
        fields[input] = missing[input] ?? MISSING_MESSAGES[input] ?? displayMessage(problem.code);
      } else {
        fields[input] = displayMessage(problem.code);
      }
    }
  }
  const summary: SummaryItem[] = [];
  const order = [...new Set(Object.values(inputsOf).flat())];
  for (const input of order) {
    const text = empty.has(input) ? displayMessage("MISSING_FIELDS") : fields[input];
    if (text && !summary.some((item) => item.text === text)) summary.push({ text, href: `#${input}` });
  }
  for (const text of new Set(formLevel)) summary.push({ text });
  return { fields, summary };
}

export const NO_ERRORS: FormErrors = { fields: {}, summary: [] };

/** A text field of a posted form; "" when absent or not text. */
export function textField(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
}

/** The posted form, or an empty one when the body is not a form. */
export async function readForm(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch {
    return new FormData();
  }
}
