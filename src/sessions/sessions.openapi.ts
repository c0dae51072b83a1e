import { z } from "zod";
import { BEARER, BEARER_CODES, errorResponses, json, NO_CONTENT, ref, toJsonSchema } from "../http/openapi-builder.js";
import { sessionSchema } from "./session.js";

const sessionListSchema = z.object({ sessions: z.array(sessionSchema) }).strict();
const revokedCountSchema = z.object({ revoked: z.number().int().min(0) }).strict();

export const sessionPaths = {
  "/api/v1/auth/logout": {
    post: {
      operationId: "logout",
      summary: "End the caller's session (the token stops working everywhere at once)",
      ...BEARER,
      responses: { "204": NO_CONTENT, ...errorResponses(BEARER_CODES) },
    },
  },
  "/api/v1/auth/sessions": {
    get: {
      operationId: "listSessions",
      summary: "The caller's live sessions, newest first; `current` marks the caller's own",
      ...BEARER,
      responses: {
        "200": { description: "Live sessions", ...json(ref("SessionList")) },
        ...errorResponses(BEARER_CODES),
      },
    },
  },
  "/api/v1/auth/sessions/{id}": {
    delete: {
      operationId: "revokeSession",
      summary: "End one of the caller's live sessions (the caller's own acts as logout)",
      ...BEARER,
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }],
      responses: {
        "204": NO_CONTENT,
        ...errorResponses([...BEARER_CODES, "NOT_FOUND"]),
      },
    },
  },
  "/api/v1/auth/sessions/revoke-others": {
    post: {
      operationId: "revokeOtherSessions",
      summary: "End every live session of the caller but the current one",
      ...BEARER,
      responses: {
        "200": { description: "How many sessions ended", ...json(ref("RevokedCount")) },
        ...errorResponses(BEARER_CODES),
      },
    },
  },
};

export function sessionSchemas() {
  return {
    Session: toJsonSchema(sessionSchema, "output"),
    SessionList: {
      ...toJsonSchema(sessionListSchema, "output"),
      properties: { sessions: { type: "array", items: ref("Session") } },
    },
    RevokedCount: toJsonSchema(revokedCountSchema, "output"),
  };
}
