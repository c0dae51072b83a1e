import { z } from "zod";
import type { ErrorCode } from "../errors.js";
import { BODY_CODES, errorResponses, json, ref, requestSchema, SERVER_CODES } from "../http/openapi-builder.js";

const revokedSchema = z
  .object({
    removed: z.enum(["totp", "passkey"]).meta({
      description: "What the link removed: two-factor authentication (with its recovery codes), or the passkey",
    }),
  })
  .strict()
  .meta({ id: "FactorRevoked" });

const CODES: ErrorCode[] = [...BODY_CODES, "MISSING_FIELDS", "INVALID_TYPE", "INVALID_TOKEN", ...SERVER_CODES];

export const factorPaths = {
  "/api/v1/auth/factors/revoke": {
    post: {
      operationId: "revokeFactor",
      summary:
        'Use a "This wasn\'t me" link (mailed when two-factor authentication is turned on or a passkey is added; ' +
        "30 minutes, once): removes that factor and ends every session of the user",
      requestBody: { required: true, ...json(ref("TokenBody")) },
      responses: {
        "200": { description: "The factor is gone and every session ended", ...json(ref("FactorRevoked")) },
        ...errorResponses(CODES),
      },
    },
  },
};

export function factorSchemas() {
  return { FactorRevoked: requestSchema(revokedSchema) };
}
