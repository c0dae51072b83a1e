import { z } from "zod";
import { MESSAGES, type ValidationCode } from "../errors.js";
import { isAcceptableName } from "./name-rules.js";
import { isCommonPassword, passwordContextProblem, passwordPatternProblem } from "./password-rules.js";

export { isCommonPassword } from "./password-rules.js";

/**
 * Request bodies for the auth endpoints. The same schemas validate requests (src/http/validate.ts)
 * and describe them in the OpenAPI document, so the two cannot drift apart.
 * Rules beyond the JSON type are refinements that carry their SPEC code in `params.code`.
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

/** null and blank strings count as absent, so `""` is "missing", not "invalid". */
const blankAsAbsent = (value: unknown) =>
  value === null || (typeof value === "string" && value.trim() === "") ? undefined : value;

function text(field: string) {
  return z.string({
    error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`),
  });
}

/** A JSON-object body with a name in the OpenAPI document; anything else is one 422. */
export const bodySchema = <T extends z.core.$ZodLooseShape>(shape: T, id: string) =>
  z.object(shape, { error: "Request body must be a JSON object" }).meta({ id });

/** A required string field: blank counts as missing (MISSING_FIELDS), another type is INVALID_TYPE. */
export const stringField = (field: string) => z.preprocess(blankAsAbsent, text(field));

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

const namePart = (field: string) => personName(field, NAME_PART_MAX);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** seed 001 sends first_name / last_name: accepted as aliases of firstName / lastName. */
function acceptSnakeCaseNames(body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  const b = body;
  return { ...b, firstName: b.firstName ?? b.first_name, lastName: b.lastName ?? b.last_name };
}

const present = (value: unknown) => blankAsAbsent(value) !== undefined;

/** A name is required: `name`, or both parts. */
function requireName(body: Record<string, unknown>, ctx: z.RefinementCtx) {
  if (present(body.name) || (present(body.firstName) && present(body.lastName))) return;
  const missing = present(body.firstName) ? "lastName" : present(body.lastName) ? "firstName" : "name";
  ctx.addIssue({
    code: "custom",
    path: [missing],
    message: `${missing} is required`,
    params: { code: "MISSING_FIELDS" },
  });
}

/**
 * The password must not contain the e-mail's local part or the person's name. An issue on a
 * password that already has one is dropped by toFieldErrors (one problem per field, the first).
 */
function passwordOutOfContext(body: Record<string, unknown>, ctx: z.RefinementCtx) {
  if (typeof body.password !== "string") return;
  const reason = passwordContextProblem(body.password, {
    email: body.email,
    names: [body.name, body.firstName, body.lastName],
  });
  if (reason)
    ctx.addIssue({ code: "custom", path: ["password"], message: reason, params: { code: "PASSWORD_TOO_COMMON" } });
}

export const registerBody = z
  .preprocess(
    acceptSnakeCaseNames,
    z
      .object(
        {
          email: emailField("email"),
          password: newPasswordField("password"),
          name: personName("name", NAME_MAX).describe(
            "Full name. Give `name`, or both `firstName` and `lastName`, or all three.",
          ),
          firstName: namePart("firstName"),
          lastName: namePart("lastName"),
        },
        { error: "Request body must be a JSON object" },
      )
      .superRefine(
        (body, ctx) => {
          // Runs even when other fields failed, so every problem is reported at once.
          requireName(body, ctx);
          passwordOutOfContext(body, ctx);
        },
        { when: (payload) => isPlainObject(payload.value) },
      ),
  )
  .meta({ id: "RegisterBody" });

export const loginBody = z
  .object(
    {
      email: z.preprocess(
        blankAsAbsent,
        text("email").overwrite((s) => s.trim().toLowerCase()),
      ),
      password: z.preprocess(
        (value) => (value === "" || value === null ? undefined : value),
        text("password")
          .overwrite((s) => s.normalize("NFKC"))
          .meta({ writeOnly: true }),
      ),
    },
    { error: "Request body must be a JSON object" },
  )
  .meta({ id: "LoginBody" });

export type RegisterBody = z.output<typeof registerBody>;
export type LoginBody = z.output<typeof loginBody>;
