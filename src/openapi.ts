import { accountPaths, accountSchemas, deleteMeOperation } from "./account/account.openapi.js";
import { LOGIN_DELAY, RATE_LIMIT_POLICIES } from "./auth/auth.limits.js";
import { authPaths, authSchemas } from "./auth/auth.openapi.js";
import { factorPaths, factorSchemas } from "./factors/factors.openapi.js";
import { codeTable, errorBodySchema, errorResponses, json, toJsonSchema } from "./http/openapi-builder.js";
import { mfaPaths, mfaSchemas } from "./mfa/mfa.openapi.js";
import { passkeyPaths, passkeySchemas } from "./passkeys/passkeys.openapi.js";
import { recoveryPaths, recoverySchemas } from "./recovery/recovery.openapi.js";
import { sessionPaths, sessionSchemas } from "./sessions/sessions.openapi.js";

/**
 * The OpenAPI 3.1 document: each feature folder describes its own paths and schemas (from the
 * zod schemas that validate and shape its bodies); this file puts them together.
 */

export { authResponseSchema, meResponseSchema } from "./auth/auth.openapi.js";
export { errorBodySchema } from "./http/openapi-builder.js";

function rateLimitText(): string {
  const p = RATE_LIMIT_POLICIES;
  const minutes = (ms: number) => ms / 60_000;
  return (
    `Rate limits: register ${p.register.limit} per client address per ${minutes(p.register.windowMs)} minutes. ` +
    `Login counts failures only (a success is not counted and clears the counters of its e-mail): ` +
    `${p.login_email_address.limit} per e-mail and client address, ${p.login_address.limit} per client address, ` +
    `per ${minutes(p.login_address.windowMs)} minutes; beyond ${p.login_email.limit} failures for one e-mail from ` +
    `all addresses, each attempt waits ${LOGIN_DELAY.stepMs} ms longer, at most ${LOGIN_DELAY.maxMs / 1000} s, ` +
    `and is never refused for it. A password re-entered by a signed-in caller (password and e-mail change, ` +
    `deletion, turning TOTP on or off, adding a passkey) counts as a login of the caller's e-mail: over the ` +
    `limit each of them is refused, the right password included. Over a limit: 429 \`RATE_LIMITED\` with \`Retry-After\`.`
  );
}

const healthPaths = {
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
      summary: "The database answers: ready (200) or not (503); the details are on the metrics listener",
      responses: {
        "200": { description: "Ready", ...json({ type: "object" }) },
        ...errorResponses(["SERVICE_UNAVAILABLE"]),
      },
    },
  },
};

export function buildOpenApiDocument(version = "0.1.0"): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "Portico API",
      version,
      description: [
        "Sign-up and sign-in. Bodies are JSON; every error has one shape (`Error`). Any other path or method answers 404 `NOT_FOUND`. " +
          "Endpoints with a lock need `Authorization: Bearer <token>` naming a live session.",
        rateLimitText(),
        codeTable(),
      ].join("\n\n"),
    },
    servers: [{ url: "/" }],
    paths: {
      ...authPaths,
      "/api/v1/auth/me": { ...authPaths["/api/v1/auth/me"], delete: deleteMeOperation },
      ...sessionPaths,
      ...recoveryPaths,
      ...accountPaths,
      ...mfaPaths,
      ...passkeyPaths,
      ...factorPaths,
      ...healthPaths,
    },
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        ...authSchemas(),
        ...sessionSchemas(),
        ...recoverySchemas(),
        ...accountSchemas(),
        ...mfaSchemas(),
        ...passkeySchemas(),
        ...factorSchemas(),
        Error: toJsonSchema(errorBodySchema, "output"),
      },
    },
  };
}
