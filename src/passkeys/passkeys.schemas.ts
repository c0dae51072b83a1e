import { z } from "zod";
import type { ValidationCode } from "../errors.js";
import { blankAsAbsent, bodySchema, text } from "../http/body-fields.js";
import { currentPasswordField } from "../users/user-fields.js";
import { PASSKEY_NAME_MAX } from "./passkey.js";

const object = <T extends z.core.$ZodLooseShape>(shape: T, id: string) =>
  z.object(shape, { error: "Request body must be a JSON object" }).meta({ id });

const requiredString = (field: string) =>
  z.string({ error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`) });

/**
 * A credential id in its JSON form: base64url (WebAuthn §5.1). Anything else, such as a NUL that
 * PostgreSQL's text refuses, can name no stored credential: the body is refused before any lookup.
 */
const base64url = (field: string) =>
  requiredString(field).regex(/^[A-Za-z0-9_-]+={0,2}$/, { error: `${field} must be base64url` });

/**
 * A WebAuthn credential as @simplewebauthn/browser's startRegistration/startAuthentication give
 * it (`toJSON()` of a PublicKeyCredential). Only its outline is checked here: the library
 * verifies the rest, and anything it refuses is INVALID_PASSKEY / PASSKEY_REJECTED.
 */
const credentialJson = (field: string) =>
  z
    .object(
      {
        id: base64url(`${field}.id`),
        rawId: base64url(`${field}.rawId`),
        type: requiredString(`${field}.type`),
        response: z.record(z.string(), z.unknown(), {
          error: (issue) =>
            issue.input === undefined ? `${field}.response is required` : `${field}.response must be an object`,
        }),
        clientExtensionResults: z.record(z.string(), z.unknown()).optional(),
        authenticatorAttachment: z.string().optional(),
      },
      {
        error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be an object`),
      },
    )
    .loose()
    .meta({ description: "The credential as the browser's WebAuthn call returned it, in JSON (base64url fields)" });

function nameProblem(ctx: z.RefinementCtx, code: ValidationCode, message: string) {
  ctx.addIssue({ code: "custom", message, params: { code } });
}

/** A passkey's name: optional, trimmed, at most 64 characters, no control characters. */
const passkeyName = z
  .string({ error: "name must be a string" })
  .overwrite((s) => s.trim())
  .superRefine((value, ctx) => {
    if ([...value].length > PASSKEY_NAME_MAX) {
      nameProblem(ctx, "NAME_TOO_LONG", `name must be at most ${PASSKEY_NAME_MAX} characters`);
    } else if (/\p{Cc}/u.test(value)) nameProblem(ctx, "INVALID_TYPE", "name must not contain control characters");
  })
  .meta({ maxLength: PASSKEY_NAME_MAX, example: "Laptop" });

/**
 * Adding a passkey starts here, and needs the current password (SPEC §20); with TOTP on, a
 * current code as well. A session alone never binds a new authenticator.
 */
export const passkeyOptionsBody = bodySchema(
  {
    password: currentPasswordField("password"),
    code: z
      .preprocess(blankAsAbsent, text("code").optional())
      .meta({ description: "A current 6-digit TOTP code: required when two-factor authentication is on" }),
  },
  "PasskeyOptionsBody",
);

export const addPasskeyBody = object(
  {
    response: credentialJson("response"),
    name: z.preprocess((v) => (v === null ? undefined : v), passkeyName.optional()),
  },
  "AddPasskeyBody",
);

export const passkeyLoginBody = object(
  { challengeId: requiredString("challengeId"), response: credentialJson("response") },
  "PasskeyLoginBody",
);

export type PasskeyOptionsBody = z.output<typeof passkeyOptionsBody>;
export type AddPasskeyBody = z.output<typeof addPasskeyBody>;
export type PasskeyLoginBody = z.output<typeof passkeyLoginBody>;
