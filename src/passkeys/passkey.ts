import type { Selectable } from "kysely";
import { z } from "zod";
import type { PasskeysTable, WebAuthnChallengesTable } from "../db/schema.js";

/** A stored passkey row (snake_case, with the public key). Never leaves the repository and services. */
export type PasskeyRow = Selectable<PasskeysTable>;
export type ChallengeRow = Selectable<WebAuthnChallengesTable>;

/** The public passkey: the source of its type and of its OpenAPI schema. No key material. */
export const passkeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    createdAt: z.iso.datetime(),
    lastUsedAt: z.iso.datetime().nullable().meta({ description: "The last sign-in with it; null until then" }),
  })
  .strict();

export type Passkey = z.output<typeof passkeySchema>;

export function toPasskey(row: PasskeyRow): Passkey {
  return {
    id: row.id,
    name: row.name,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
  };
}

/** How long a challenge can be answered (the browser's own timeout is the same). */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** One account keeps at most this many passkeys. */
export const MAX_PASSKEYS = 20;
export const PASSKEY_NAME_MAX = 64;
export const DEFAULT_PASSKEY_NAME = "Passkey";

/**
 * The WebAuthn user handle of a user: the 16 bytes of their uuid, base64url. Random and free of
 * personal data, as WebAuthn asks; a sign-in's `userHandle` must name the passkey's owner.
 */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId.replaceAll("-", ""), "hex"));
}

export function userHandleText(userId: string): string {
  return Buffer.from(userHandleOf(userId)).toString("base64url");
}
