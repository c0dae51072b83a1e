import { z } from "zod";
import type { ErrorCode } from "../errors.js";
import {
  BEARER,
  BODY_CODES,
  errorResponses,
  json,
  ref,
  requestSchema,
  SERVER_CODES,
  toJsonSchema,
} from "../http/openapi-builder.js";
import { passkeySchema } from "./passkey.js";
import { addPasskeyBody, passkeyLoginBody, passkeyOptionsBody } from "./passkeys.schemas.js";

const passkeyListSchema = z.object({ passkeys: z.array(passkeySchema) }).strict();

const FIELD_CODES: ErrorCode[] = [...BODY_CODES, "MISSING_FIELDS", "INVALID_TYPE"];
const BEARER_CODES: ErrorCode[] = ["UNAUTHORIZED", ...SERVER_CODES];
const options = (description: string) => ({
  type: "object",
  description: `${description} (WebAuthn's JSON form, base64url fields): hand it to @simplewebauthn/browser`,
});

export const passkeyPaths = {
  "/api/v1/auth/passkeys/options": {
    post: {
      operationId: "passkeyRegistrationOptions",
      summary:
        "Options to create a passkey (discoverable, user verification required); the challenge lives 5 minutes. " +
        "Needs the current password, and with TOTP on a current code; a wrong password counts as a failed login",
      description: "At most 10 per user per 5 minutes (429 RATE_LIMITED beyond).",
      ...BEARER,
      requestBody: { required: true, ...json(ref("PasskeyOptionsBody")) },
      responses: {
        "200": { description: "Creation options", ...json(ref("PasskeyRegistrationOptions")) },
        ...errorResponses([
          ...FIELD_CODES,
          "WRONG_PASSWORD",
          "REAUTHENTICATION_REQUIRED",
          "INVALID_MFA_CODE",
          "RATE_LIMITED",
          "OVERLOADED",
          ...BEARER_CODES,
          "PASSKEY_REJECTED",
        ]),
      },
    },
  },
  "/api/v1/auth/passkeys": {
    get: {
      operationId: "listPasskeys",
      summary: "The caller's passkeys, oldest first",
      ...BEARER,
      responses: { "200": { description: "Passkeys", ...json(ref("PasskeyList")) }, ...errorResponses(BEARER_CODES) },
    },
    post: {
      operationId: "addPasskey",
      summary: "Store a passkey: the browser's answer to one of the caller's live challenges; a notice is mailed",
      ...BEARER,
      requestBody: { required: true, ...json(ref("AddPasskeyBody")) },
      responses: {
        "201": { description: "The new passkey", ...json(ref("PasskeyResponse")) },
        ...errorResponses([...FIELD_CODES, "NAME_TOO_LONG", "PASSKEY_REJECTED", ...BEARER_CODES]),
      },
    },
  },
  "/api/v1/auth/passkeys/{id}": {
    delete: {
      operationId: "removePasskey",
      summary: "Remove one of the caller's passkeys (it no longer signs in); a notice is mailed",
      ...BEARER,
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      responses: { "204": { description: "Done (no body)" }, ...errorResponses([...BEARER_CODES, "NOT_FOUND"]) },
    },
  },
  "/api/v1/auth/passkey/options": {
    post: {
      operationId: "passkeySignInOptions",
      summary: "Options for a usernameless sign-in with a passkey, and the id of their challenge (5 minutes)",
      responses: {
        "200": { description: "Request options", ...json(ref("PasskeySignInOptions")) },
        ...errorResponses(["RATE_LIMITED", ...SERVER_CODES]),
      },
    },
  },
  "/api/v1/auth/passkey/login": {
    post: {
      operationId: "passkeyLogin",
      summary: "Sign in with a passkey: a session like /login's (auth method `passkey`)",
      requestBody: { required: true, ...json(ref("PasskeyLoginBody")) },
      responses: {
        "200": { description: "The user and a token", ...json(ref("AuthResponse")) },
        ...errorResponses([...FIELD_CODES, "INVALID_PASSKEY", "EMAIL_NOT_VERIFIED", "RATE_LIMITED", ...SERVER_CODES]),
      },
    },
  },
};

export function passkeySchemas() {
  return {
    Passkey: toJsonSchema(passkeySchema, "output"),
    PasskeyList: {
      ...toJsonSchema(passkeyListSchema, "output"),
      properties: { passkeys: { type: "array", items: ref("Passkey") } },
    },
    PasskeyResponse: {
      type: "object",
      properties: { passkey: ref("Passkey") },
      required: ["passkey"],
      additionalProperties: false,
    },
    PasskeyRegistrationOptions: {
      type: "object",
      properties: { options: options("PublicKeyCredentialCreationOptions") },
      required: ["options"],
    },
    PasskeySignInOptions: {
      type: "object",
      properties: {
        challengeId: { type: "string", format: "uuid" },
        options: options("PublicKeyCredentialRequestOptions"),
      },
      required: ["challengeId", "options"],
    },
    PasskeyOptionsBody: requestSchema(passkeyOptionsBody),
    AddPasskeyBody: requestSchema(addPasskeyBody),
    PasskeyLoginBody: requestSchema(passkeyLoginBody),
  };
}
