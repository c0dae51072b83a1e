import { z } from "zod";
import { securityEventSchema } from "../events/events.js";
import {
  BEARER,
  BEARER_CODES,
  errorResponses,
  FIELD_CODES,
  json,
  NO_CONTENT,
  ref,
  requestSchema,
  SERVER_CODES,
  toJsonSchema,
} from "../http/openapi-builder.js";
import { changeEmailBody, changePasswordBody, deleteAccountBody } from "./account.schemas.js";

const eventListSchema = z.object({ events: z.array(securityEventSchema) }).strict();

export const accountPaths = {
  "/api/v1/auth/password/change": {
    post: {
      operationId: "changePassword",
      summary: "Change the password: the caller's session stays, every other ends; a notice is mailed",
      ...BEARER,
      requestBody: { required: true, ...json(ref("ChangePasswordBody")) },
      responses: {
        "204": NO_CONTENT,
        ...errorResponses([
          ...FIELD_CODES,
          "WEAK_PASSWORD",
          "PASSWORD_TOO_LONG",
          "PASSWORD_TOO_COMMON",
          "WRONG_PASSWORD",
          "REAUTHENTICATION_REQUIRED",
          "RATE_LIMITED",
          "OVERLOADED",
          ...BEARER_CODES,
        ]),
      },
    },
  },
  "/api/v1/auth/email/change": {
    post: {
      operationId: "changeEmail",
      summary: "Ask to move to a new address: a link goes to it, a notice to the old one",
      description:
        "The link works only while the session that asked stays live: logging that session out, " +
        '"Log out of all other sessions", a password change or reset end it, and the notice to the old ' +
        'address carries a "Cancel this change" link (POST /api/v1/auth/email/change/cancel). ' +
        "At most 3 requests per user per hour and 3 links to one address per day (whoever asks): " +
        "beyond, 429 RATE_LIMITED with Retry-After. The mail to the new address greets no one by name.",
      ...BEARER,
      requestBody: { required: true, ...json(ref("ChangeEmailBody")) },
      responses: {
        "202": { description: "The link is on its way", ...json(ref("Message")) },
        ...errorResponses([
          ...FIELD_CODES,
          "INVALID_EMAIL",
          "WRONG_PASSWORD",
          "REAUTHENTICATION_REQUIRED",
          "RATE_LIMITED",
          "EMAIL_TAKEN",
          "RATE_LIMITED",
          "OVERLOADED",
          ...BEARER_CODES,
        ]),
      },
    },
  },
  "/api/v1/auth/email/confirm": {
    post: {
      operationId: "confirmEmailChange",
      summary: "Use an e-mail-change link's token: the address changes and counts as verified",
      requestBody: { required: true, ...json(ref("TokenBody")) },
      responses: {
        "200": { description: "The user with the new address", ...json(ref("MeResponse")) },
        ...errorResponses([...FIELD_CODES, "INVALID_TOKEN", "EMAIL_TAKEN", ...SERVER_CODES]),
      },
    },
  },
  "/api/v1/auth/email/change/cancel": {
    post: {
      operationId: "cancelEmailChange",
      summary: 'Use the "Cancel this change" link mailed to the old address: the pending change can no longer happen',
      description:
        "204 while the change has not been made (again, or after it ended another way, changes nothing more); " +
        "unknown token or a change already made → 400 INVALID_TOKEN.",
      requestBody: { required: true, ...json(ref("TokenBody")) },
      responses: {
        "204": NO_CONTENT,
        ...errorResponses([...FIELD_CODES, "INVALID_TOKEN", ...SERVER_CODES]),
      },
    },
  },
  "/api/v1/auth/events": {
    get: {
      operationId: "listSecurityEvents",
      summary: "The caller's last 50 security events, newest first, with failed attempts grouped",
      description:
        "Failed attempts (`login.failed`, `mfa.failed`) do not count toward the 50: they are listed between the " +
        "other events, each unbroken run as one entry per type, with `count` when it stands for more than one.",
      ...BEARER,
      responses: { "200": { description: "Events", ...json(ref("EventList")) }, ...errorResponses(BEARER_CODES) },
    },
  },
};

/** DELETE /me sits beside GET /me in the document (one path item). */
export const deleteMeOperation = {
  operationId: "deleteAccount",
  summary: "Delete the account, its sessions, links, events and queued mails; the address can register again",
  description: "A notice (no link) is mailed to the address the account had.",
  ...BEARER,
  requestBody: { required: true, ...json(ref("DeleteAccountBody")) },
  responses: {
    "204": NO_CONTENT,
    ...errorResponses([
      ...FIELD_CODES,
      "WRONG_PASSWORD",
      "REAUTHENTICATION_REQUIRED",
      "RATE_LIMITED",
      "OVERLOADED",
      ...BEARER_CODES,
    ]),
  },
};

export function accountSchemas() {
  return {
    ChangePasswordBody: requestSchema(changePasswordBody),
    ChangeEmailBody: requestSchema(changeEmailBody),
    DeleteAccountBody: requestSchema(deleteAccountBody),
    EventList: toJsonSchema(eventListSchema, "output"),
  };
}
