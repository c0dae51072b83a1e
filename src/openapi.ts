import { STATUS_CODES } from "node:http";
import { z } from "zod";
import { loginBody, registerBody } from "./auth/auth.schemas.js";
import { type ErrorCode, MESSAGES, VALIDATION_CODES } from "./errors.js";
import { STATUS_BY_CODE } from "./http/error-handler.js";
import { RATE_LIMIT_POLICIES } from "./http/rate-limit.js";

/**
 * The OpenAPI 3.1 document. Request bodies come from the zod schemas that validate requests
 * (src/auth/auth.schemas.ts); statuses and messages come from STATUS_BY_CODE and MESSAGES. Nothing
 * is written twice, so the document cannot drift from what the API does.
 */

type JsonSchema = Record<string, unknown>;

/** The public user and the success bodies. Tests check real answers against them. */
export const userSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    role: z.enum(["user", "admin"]),
    isAdmin: z.boolean(),
    createdAt: z.iso.datetime(),
  })
  .strict();
export const authResponseSchema = z.object({ token: z.string(), user: userSchema }).strict();
export const meResponseSchema = z.object({ user: userSchema }).strict();

const ALL_CODES = Object.keys(MESSAGES) as ErrorCode[];
const fieldErrorSchema = z.object({ field: z.string(), code: z.enum(VALIDATION_CODES), message: z.string() });
export const errorBodySchema = z.object({
  error: z.string().meta({ description: "The HTTP reason phrase, or `Validation Error` for 422" }),
  message: z.string(),
  statusCode: z.number().int(),
  code: z.enum(ALL_CODES as [ErrorCode, ...ErrorCode[]]),
  details: z.array(fieldErrorSchema).optional().meta({ description: "Every field problem (validation errors only)" }),
});

const BODY_CODES: ErrorCode[] = ["MALFORMED_JSON", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE"];
const SERVER_CODES: ErrorCode[] = ["SERVICE_UNAVAILABLE", "INTERNAL_ERROR"];

/** Each operation's possible error codes. */
export const OPERATION_CODES = {
  register: [...BODY_CODES, ...VALIDATION_CODES, "EMAIL_TAKEN", "RATE_LIMITED", "OVERLOADED", ...SERVER_CODES],
  login: [
    ...BODY_CODES,
    "MISSING_FIELDS",
    "INVALID_TYPE",
    "INVALID_CREDENTIALS",
    "RATE_LIMITED",
    "OVERLOADED",
    ...SERVER_CODES,
  ],
  me: ["UNAUTHORIZED", ...SERVER_CODES],
} satisfies Record<string, ErrorCode[]>;

/** zod → JSON Schema 2020-12 (OpenAPI 3.1's dialect), as the client sends it (io: "input"). */
function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  const { $schema: _, $defs, $ref, ...rest } = json;
  // Named schemas (`.meta({ id })`) come back as a $ref into $defs: inline the one definition.
  if (typeof $ref === "string" && $defs && typeof $defs === "object") {
    return (($defs as Record<string, JsonSchema>)[$ref.replace("#/$defs/", "")] ?? rest) as JsonSchema;
  }
  return rest;
}

function requestSchema(schema: z.ZodType, extra: JsonSchema = {}): JsonSchema {
  return { ...toJsonSchema(schema, "input"), ...extra };
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function exampleMessage(code: ErrorCode): string {
  return code === "INVALID_TYPE" ? "email must be a string" : MESSAGES[code];
}

const reason = (status: number) => (status === 422 ? "Validation Error" : (STATUS_CODES[status] ?? "Error"));

/** One response per status, listing every code that status can carry, each with an example. */
function errorResponses(codes: readonly ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const retry = statusCodes.some((c) => c === "RATE_LIMITED" || c === "OVERLOADED" || c === "SERVICE_UNAVAILABLE");
    responses[String(status)] = {
      description: statusCodes.map((c) => `\`${c}\`: ${exampleMessage(c)}`).join("; "),
      ...(retry && {
        headers: { "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer" } } },
      }),
      ...(statusCodes.includes("UNAUTHORIZED") && {
        headers: { "WWW-Authenticate": { description: 'Bearer realm="portico"', schema: { type: "string" } } },
      }),
      content: {
        "application/json": {
          schema: { allOf: [ref("Error"), { properties: { code: { enum: statusCodes } } }] },
          examples: Object.fromEntries(
            statusCodes.map((code) => [
              code,
              { value: { error: reason(status), message: exampleMessage(code), statusCode: status, code } },
            ]),
          ),
        },
      },
    };
  }
  return responses;
}

function codeTable(): string {
  const rows = ALL_CODES.map((code) => `| ${STATUS_BY_CODE[code]} | \`${code}\` | ${MESSAGES[code]} |`);
  return ["| status | code | message |", "|---|---|---|", ...rows].join("\n");
}

function rateLimitText(): string {
  const p = RATE_LIMIT_POLICIES;
  const minutes = (ms: number) => ms / 60_000;
  return (
    `Rate limits: register ${p.register.limit} per client address per ${minutes(p.register.windowMs)} minutes; ` +
    `login ${p.login_email.limit} per e-mail and ${p.login_address.limit} per client address per ` +
    `${minutes(p.login_address.windowMs)} minutes. Over a limit: 429 \`RATE_LIMITED\` with \`Retry-After\`.`
  );
}

const json = (schema: unknown) => ({ content: { "application/json": { schema } } });

export function buildOpenApiDocument(version = "0.1.0"): Record<string, unknown> {
  const register = requestSchema(registerBody, {
    description:
      "Give `name`, or both `firstName` and `lastName`, or all three. `first_name` and `last_name` are accepted as aliases. Unknown fields are ignored.",
    anyOf: [{ required: ["name"] }, { required: ["firstName", "lastName"] }],
  });
  return {
    openapi: "3.1.0",
    info: {
      title: "Portico API",
      version,
      description: [
        "Sign-up and sign-in. Bodies are JSON; every error has one shape (`Error`). Any other path or method answers 404 `NOT_FOUND`.",
        rateLimitText(),
        codeTable(),
      ].join("\n\n"),
    },
    servers: [{ url: "/" }],
    paths: {
      "/api/v1/auth/register": {
        post: {
          operationId: "registerUser",
          summary: "Create an account",
          requestBody: { required: true, ...json(ref("RegisterBody")) },
          responses: {
            "201": { description: "Created: the new user and a token", ...json(ref("AuthResponse")) },
            ...errorResponses(OPERATION_CODES.register),
          },
        },
      },
      "/api/v1/auth/login": {
        post: {
          operationId: "loginUser",
          summary: "Sign in",
          requestBody: { required: true, ...json(ref("LoginBody")) },
          responses: {
            "200": { description: "The user and a fresh token", ...json(ref("AuthResponse")) },
            ...errorResponses(OPERATION_CODES.login),
          },
        },
      },
      "/api/v1/auth/me": {
        get: {
          operationId: "getCurrentUser",
          summary: "The user a token belongs to",
          security: [{ bearer: [] }],
          responses: {
            "200": { description: "The user", ...json(ref("MeResponse")) },
            ...errorResponses(OPERATION_CODES.me),
          },
        },
      },
      "/healthz": {
        get: {
          operationId: "health",
          summary: "The process is up",
          responses: { "200": { description: "Up", ...json({ type: "object" }) } },
        },
      },
      "/readyz": {
        get: {
          operationId: "readiness",
          summary: "The database answers (details in `checks`)",
          responses: {
            "200": { description: "Ready", ...json({ type: "object" }) },
            ...errorResponses(["SERVICE_UNAVAILABLE"]),
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        RegisterBody: register,
        LoginBody: requestSchema(loginBody),
        User: toJsonSchema(userSchema, "output"),
        AuthResponse: {
          ...toJsonSchema(authResponseSchema, "output"),
          properties: { token: { type: "string" }, user: ref("User") },
        },
        MeResponse: { ...toJsonSchema(meResponseSchema, "output"), properties: { user: ref("User") } },
        Error: toJsonSchema(errorBodySchema, "output"),
      },
    },
  };
}
