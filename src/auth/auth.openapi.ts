import { z } from "zod";
import type { ErrorCode } from "../errors.js";
import { VALIDATION_CODES } from "../errors.js";
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
import { userSchema } from "../users/user.js";
import { loginBody, registerBody } from "./auth.schemas.js";

export const authResponseSchema = z.object({ token: z.string(), user: userSchema }).strict();
export const meResponseSchema = z.object({ user: userSchema }).strict();

/** Each operation's possible error codes. */
const AUTH_OPERATION_CODES = {
  register: [...BODY_CODES, ...VALIDATION_CODES, "EMAIL_TAKEN", "RATE_LIMITED", "OVERLOADED", ...SERVER_CODES],
  login: [
    ...BODY_CODES,
    "MISSING_FIELDS",
    "INVALID_TYPE",
    "INVALID_CREDENTIALS",
    "EMAIL_NOT_VERIFIED",
    "RATE_LIMITED",
    "OVERLOADED",
    ...SERVER_CODES,
  ],
  me: ["UNAUTHORIZED", ...SERVER_CODES],
} satisfies Record<string, ErrorCode[]>;

export const authPaths = {
  "/api/v1/auth/register": {
    post: {
      operationId: "registerUser",
      summary: "Create an account",
      requestBody: { required: true, ...json(ref("RegisterBody")) },
      responses: {
        "201": { description: "Created: the new user and a token", ...json(ref("AuthResponse")) },
        ...errorResponses(AUTH_OPERATION_CODES.register),
      },
    },
  },
  "/api/v1/auth/login": {
    post: {
      operationId: "loginUser",
      summary: "Sign in",
      requestBody: { required: true, ...json(ref("LoginBody")) },
      responses: {
        "200": {
          description:
            "The user and a fresh token; or, when the account has a second factor, a ticket for POST /api/v1/auth/mfa/verify",
          content: { "application/json": { schema: { oneOf: [ref("AuthResponse"), ref("MfaRequired")] } } },
        },
        ...errorResponses(AUTH_OPERATION_CODES.login),
      },
    },
  },
  "/api/v1/auth/me": {
    get: {
      operationId: "getCurrentUser",
      summary: "The user a token belongs to",
      ...BEARER,
      responses: {
        "200": { description: "The user", ...json(ref("MeResponse")) },
        ...errorResponses(AUTH_OPERATION_CODES.me),
      },
    },
  },
};

export function authSchemas() {
  return {
    RegisterBody: requestSchema(registerBody, {
      description:
        "Give `name`, or both `firstName` and `lastName`, or all three. `first_name` and `last_name` are accepted as aliases. Unknown fields are ignored.",
      anyOf: [{ required: ["name"] }, { required: ["firstName", "lastName"] }],
    }),
    LoginBody: requestSchema(loginBody),
    User: toJsonSchema(userSchema, "output"),
    AuthResponse: {
      ...toJsonSchema(authResponseSchema, "output"),
      properties: { token: { type: "string" }, user: ref("User") },
    },
    MeResponse: { ...toJsonSchema(meResponseSchema, "output"), properties: { user: ref("User") } },
  };
}
