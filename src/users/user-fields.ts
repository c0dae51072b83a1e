import { z } from "zod";
import { MESSAGES, type ValidationCode } from "../errors.js";
import { blankAsAbsent, stringField, text } from "../http/body-fields.js";
import { isAcceptableName } from "./name-rules.js";
import { isCommonPassword, passwordPatternProblem } from "./password-rules.js";

/**
 * The user's fields under SPEC §1's rules, one schema each, for every body that carries one
 * (registration, reset, change of e-mail or password). Rules beyond the JSON type are refinements
 * that carry their SPEC code in `params.code`.
 */

const EMAIL_MAX = 254;
const PASSWORD_MIN_CHARS = 8;
export const PASSWORD_MAX_BYTES = 72;
const NAME_MAX = 255;
const NAME_PART_MAX = 100;

/** WHATWG's valid e-mail address (what `<input type=email>` accepts), with at least one dot in the domain. */
const EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;
/**
 * Letters of any script, combining marks, spaces, hyphens, apostrophes and periods, in every name
 * field (SPEC §1: "Dr. Ada Lovelace", and the last names "St. John" and "Smith Jr."). That a name
 * shows a letter is name-rules.ts's check: "." or "-'" alone is refused there.
 */
const NAME_PATTERN = /^[\p{L}\p{M}' ’.-]+$/u;
const CONTROL = /\p{Cc}/u;

const codePoints = (s: string) => [...s].length;

function problem(ctx: z.RefinementCtx, code: ValidationCode, message: string = MESSAGES[code]) {
  ctx.addIssue({ code: "custom", message, params: { code } });
}

/** An e-mail address under SPEC §1's rules, trimmed and lower-cased, named after its field. */
export const emailField = (field: string) =>
  z.preprocess(
    blankAsAbsent,
    text(field)
      .overwrite((s) => s.trim().toLowerCase())
      .superRefine((value, ctx) => {
        if (value.length > EMAIL_MAX || !EMAIL_PATTERN.test(value)) problem(ctx, "INVALID_EMAIL");
      })
      .meta({ format: "email", maxLength: EMAIL_MAX, example: "ada@example.com" }),
  );

/** A new password under SPEC §1's rules (registration, reset, change), named after its field. */
export const newPasswordField = (field: string) =>
  z.preprocess(
    (value) => (value === "" || value === null ? undefined : value),
    text(field)
      .overwrite((s) => s.normalize("NFKC"))
      .superRefine((value, ctx) => {
        if (!value.isWellFormed()) problem(ctx, "INVALID_TYPE", "password must be valid Unicode text");
        else if (codePoints(value) < PASSWORD_MIN_CHARS) problem(ctx, "WEAK_PASSWORD");
        else if (Buffer.byteLength(value, "utf8") > PASSWORD_MAX_BYTES) problem(ctx, "PASSWORD_TOO_LONG");
        else if (isCommonPassword(value)) problem(ctx, "PASSWORD_TOO_COMMON");
        else {
          const reason = passwordPatternProblem(value);
          if (reason) problem(ctx, "PASSWORD_TOO_COMMON", reason);
        }
      })
      .meta({
        minLength: PASSWORD_MIN_CHARS,
        description:
          `At least ${PASSWORD_MIN_CHARS} characters after NFKC normalisation, at most ${PASSWORD_MAX_BYTES} bytes of UTF-8, ` +
          "not a common password, not only blank or invisible characters, no NUL, not one character repeated or a plain " +
          "sequence, and not containing the service's name, the e-mail's local part or the person's name.",
        writeOnly: true,
      }),
  );

/** A person's name under SPEC §1's rules, optional: the body says which names it requires. */
function personName(field: string, max: number) {
  return z.preprocess(
    blankAsAbsent,
    text(field)
      .superRefine((value, ctx) => {
        if (CONTROL.test(value)) problem(ctx, "INVALID_NAME");
      })
      .overwrite((s) => s.normalize("NFC").trim().replace(/\s+/gu, " "))
      .superRefine((value, ctx) => {
        if (!NAME_PATTERN.test(value) || !isAcceptableName(value)) problem(ctx, "INVALID_NAME");
        else if (codePoints(value) > max) problem(ctx, "NAME_TOO_LONG");
      })
      .meta({ minLength: 1, maxLength: max })
      .optional(),
  );
}

/** A full name (`name`): at most 255 code points. */
export const fullNameField = (field: string) => personName(field, NAME_MAX);

/** A first or last name: at most 100 code points. */
export const namePartField = (field: string) => personName(field, NAME_PART_MAX);

/**
 * A re-entered current password (change, e-mail change, deletion, TOTP on and off, adding a
 * passkey): any string, since it is compared, not judged.
 */
export const currentPasswordField = (field: string) =>
  stringField(field).meta({ writeOnly: true, description: "The account's current password, entered again" });
