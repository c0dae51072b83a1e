import { z } from "zod";
import type { ErrorCode } from "../errors.js";
import { VALIDATION_CODES } from "../errors.js";
import {
  BEARER,
  BODY_CODES,
  errorResponses,
  json,
  NO_CONTENT,
  ref,
  requestSchema,
  SERVER_CODES,
} from "../http/openapi-builder.js";
import { forgotPasswordBody, resetPasswordBody, tokenBody } from "./recovery.schemas.js";

const messageSchema = z.object({ message: z.string() }).strict();

const TOKEN_CODES: ErrorCode[] = [...BODY_CODES, "MISSING_FIELDS", "INVALID_TYPE", "INVALID_TOKEN", ...SERVER_CODES];

export const recoveryPaths = {
  "/api/v1/auth/email/verify": {
    post: {
      operationId: "verifyEmail",
      summary: "Use a verification link's token: the address is verified (nobody is signed in)",
      requestBody: { required: true, ...json(ref("TokenBody")) },
      responses: {
        "200": { description: "The user, with emailVerified true", ...json(ref("MeResponse")) },
        ...errorResponses(TOKEN_CODES),
      },
    },
  },
  "/api/v1/auth/email/verification": {
    post: {
      operationId: "resendVerification",
      summary: "Send a new verification link (the previous one stops working); at most one per 60 s",
      ...BEARER,
      responses: {
        "200": { description: "Already verified: nothing sent", ...json(ref("MeResponse")) },
        "202": { description: "A new link is on its way", ...json(ref("Message")) },
        ...errorResponses(["UNAUTHORIZED", "RATE_LIMITED", ...SERVER_CODES]),
      },
    },
  },
  "/api/v1/auth/password/forgot": {
    post: {
      operationId: "forgotPassword",
      summary: "Ask for a reset link: the same 202 whether or not the account exists",
      requestBody: { required: true, ...json(ref("ForgotPasswordBody")) },
      responses: {
        "202": { description: "Always the same answer", ...json(ref("Message")) },
        ...errorResponses([
          ...BODY_CODES,
          "MISSING_FIELDS",
          "INVALID_TYPE",
          "INVALID_EMAIL",
          "RATE_LIMITED",
          ...SERVER_CODES,
        ]),
      },
    },
  },
  "/api/v1/auth/password/reset": {
    post: {
      operationId: "resetPassword",
      summary: "Set a new password from a reset link: every session ends, other links are void; no sign-in",
      description:
        "Marks the address verified. When that is its first verification, the account is reclaimed (SPEC §20): " +
        "passkeys, TOTP and recovery codes set up before are removed too, and `account.reclaimed` is recorded.",
      requestBody: { required: true, ...json(ref("ResetPasswordBody")) },
      responses: {
        "204": NO_CONTENT,
        ...errorResponses([...TOKEN_CODES, ...VALIDATION_CODES.filter((c) => c !== "INVALID_EMAIL"), "OVERLOADED"]),
      },
    },
  },
};

export function recoverySchemas() {
  return {
    TokenBody: requestSchema(tokenBody),
    ForgotPasswordBody: requestSchema(forgotPasswordBody),
    ResetPasswordBody: requestSchema(resetPasswordBody),
    Message: requestSchema(messageSchema),
  };
}
