import { STATUS_CODES } from "node:http";
import { z } from "zod";
import { type ErrorCode, MESSAGES, VALIDATION_CODES } from "../errors.js";
import { STATUS_BY_CODE } from "./error-handler.js";

/**
 * Pieces for the OpenAPI 3.1 document (src/openapi.ts). Request and response bodies come from
 * zod schemas; statuses and messages come from STATUS_BY_CODE and MESSAGES. Nothing is written
 * twice, so the document cannot drift from what the API does. Each feature folder describes its
 * own paths with these (e.g. src/sessions/sessions.openapi.ts).
 */

export type JsonSchema = Record<string, unknown>;

const ALL_CODES = Object.keys(MESSAGES) as ErrorCode[];
export const BODY_CODES: ErrorCode[] = ["MALFORMED_JSON", "UNSUPPORTED_MEDIA_TYPE", "PAYLOAD_TOO_LARGE"];
export const SERVER_CODES: ErrorCode[] = ["SERVICE_UNAVAILABLE", "INTERNAL_ERROR"];
/** What any JSON body with fields can answer before the rules look at it. */
export const FIELD_CODES: ErrorCode[] = [...BODY_CODES, "MISSING_FIELDS", "INVALID_TYPE"];
/** What any Bearer endpoint can answer. */
export const BEARER_CODES: ErrorCode[] = ["UNAUTHORIZED", ...SERVER_CODES];
export const NO_CONTENT = { description: "Done (no body)" };

const fieldErrorSchema = z.object({ field: z.string(), code: z.enum(VALIDATION_CODES), message: z.string() });
export const errorBodySchema = z.object({
  error: z.string().meta({ description: "The HTTP reason phrase, or `Validation Error` for 422" }),
  message: z.string(),
  statusCode: z.number().int(),
  code: z.enum(ALL_CODES as [ErrorCode, ...ErrorCode[]]),
  details: z.array(fieldErrorSchema).optional().meta({ description: "Every field problem (validation errors only)" }),
});

/** zod → JSON Schema 2020-12 (OpenAPI 3.1's dialect): as the client sends it, or as it arrives. */
export function toJsonSchema(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  const { $schema: _, $defs, $ref, ...rest } = json;
  // Named schemas (`.meta({ id })`) come back as a $ref into $defs: inline the one definition.
  if (typeof $ref === "string" && $defs && typeof $defs === "object") {
    return (($defs as Record<string, JsonSchema>)[$ref.replace("#/$defs/", "")] ?? rest) as JsonSchema;
  }
  return rest;
}

export function requestSchema(schema: z.ZodType, extra: JsonSchema = {}): JsonSchema {
  return { ...toJsonSchema(schema, "input"), ...extra };
}

export const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: unknown) => ({ content: { "application/json": { schema } } });

function exampleMessage(code: ErrorCode): string {
  return code === "INVALID_TYPE" ? "email must be a string" : MESSAGES[code];
}

const reason = (status: number) => (status === 422 ? "Validation Error" : (STATUS_CODES[status] ?? "Error"));
const RETRY_CODES = new Set<ErrorCode>(["RATE_LIMITED", "OVERLOADED", "SERVICE_UNAVAILABLE"]);

/** One response per status, listing every code that status can carry, each with an example. */
export function errorResponses(codes: readonly ErrorCode[]): Record<string, unknown> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: statusCodes.map((c) => `\`${c}\`: ${exampleMessage(c)}`).join("; "),
      ...(statusCodes.some((c) => RETRY_CODES.has(c)) && {
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

/** SPEC's status table, as Markdown, for the document's description. */
export function codeTable(): string {
  const rows = ALL_CODES.map((code) => `| ${STATUS_BY_CODE[code]} | \`${code}\` | ${MESSAGES[code]} |`);
  return ["| status | code | message |", "|---|---|---|", ...rows].join("\n");
}

/** A Bearer operation's security requirement and its 401. */
export const BEARER = { security: [{ bearer: [] }] };
