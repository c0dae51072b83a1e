import type { ErrorCode } from "../errors.js";
import {
  BEARER,
  BEARER_CODES,
  errorResponses,
  FIELD_CODES,
  json,
  ref,
  requestSchema,
  SERVER_CODES,
  toJsonSchema,
} from "../http/openapi-builder.js";
import {
  disableTotpBody,
  enableTotpBody,
  mfaRequiredSchema,
  mfaStatusSchema,
  recoveryCodesSchema,
  totpSetupSchema,
  verifyMfaBody,
} from "./mfa.schemas.js";

/** A re-entered password (SPEC §20): counted with the sign-in failures. */
const RECHECK_CODES: ErrorCode[] = [
  ...FIELD_CODES,
  "WRONG_PASSWORD",
  "REAUTHENTICATION_REQUIRED",
  "RATE_LIMITED",
  "OVERLOADED",
];

export const mfaPaths = {
  "/api/v1/auth/mfa": {
    get: {
      operationId: "mfaStatus",
      summary: "Whether TOTP is on, and how many recovery codes are left",
      ...BEARER,
      responses: { "200": { description: "Status", ...json(ref("MfaStatus")) }, ...errorResponses(BEARER_CODES) },
    },
  },
  "/api/v1/auth/mfa/totp/setup": {
    post: {
      operationId: "setupTotp",
      summary: "A TOTP secret to scan (pending until enabled with a first code)",
      description:
        "The session that asked for the pending secret in the last 15 minutes gets it back (a reload or a second tab must not void a key already scanned); otherwise a new secret replaces any pending one.",
      ...BEARER,
      responses: {
        "200": { description: "The secret and its otpauth:// URI", ...json(ref("TotpSetup")) },
        ...errorResponses([...BEARER_CODES, "MFA_ALREADY_ENABLED"]),
      },
    },
  },
  "/api/v1/auth/mfa/totp/enable": {
    post: {
      operationId: "enableTotp",
      summary:
        "Turn TOTP on with the current password and a first code: ten recovery codes, shown once; the other " +
        'sessions end; the notice mailed carries a "This wasn\'t me" link. A wrong password counts as a failed login',
      ...BEARER,
      requestBody: { required: true, ...json(ref("EnableTotpBody")) },
      responses: {
        "200": { description: "The recovery codes", ...json(ref("RecoveryCodes")) },
        ...errorResponses([...RECHECK_CODES, "INVALID_MFA_CODE", ...BEARER_CODES]),
      },
    },
  },
  "/api/v1/auth/mfa/totp/disable": {
    post: {
      operationId: "disableTotp",
      summary: "Turn TOTP off (the password is re-entered; a wrong one counts as a failed login)",
      ...BEARER,
      requestBody: { required: true, ...json(ref("DisableTotpBody")) },
      responses: {
        "204": { description: "Done (no body)" },
        ...errorResponses([...RECHECK_CODES, ...BEARER_CODES]),
      },
    },
  },
  "/api/v1/auth/mfa/verify": {
    post: {
      operationId: "verifyMfa",
      summary: "The second step of sign-in: the ticket from /login and a TOTP or recovery code",
      description:
        "A ticket lives 5 minutes and allows 5 wrong codes (then 401 `INVALID_MFA_CODE`); an account allows 10 " +
        "wrong codes per 15 minutes (then 429 `RATE_LIMITED`); both caps hold under concurrent requests. Like " +
        "/login, 100 failures per client address per 15 minutes (then 429).",
      requestBody: { required: true, ...json(ref("VerifyMfaBody")) },
      responses: {
        "200": { description: "The user and a fresh token", ...json(ref("AuthResponse")) },
        ...errorResponses([...FIELD_CODES, "INVALID_MFA_CODE", "RATE_LIMITED", ...SERVER_CODES]),
      },
    },
  },
};

export function mfaSchemas() {
  return {
    MfaStatus: toJsonSchema(mfaStatusSchema, "output"),
    TotpSetup: toJsonSchema(totpSetupSchema, "output"),
    RecoveryCodes: toJsonSchema(recoveryCodesSchema, "output"),
    MfaRequired: toJsonSchema(mfaRequiredSchema, "output"),
    EnableTotpBody: requestSchema(enableTotpBody),
    DisableTotpBody: requestSchema(disableTotpBody),
    VerifyMfaBody: requestSchema(verifyMfaBody),
  };
}
