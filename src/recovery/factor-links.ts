import type { Kysely, Transaction } from "kysely";
import type { Schema } from "../db/schema.js";
import { issueToken } from "./one-time-tokens.js";
import { link } from "./recovery.deps.js";

/** A "This wasn't me" link lives 30 minutes (SPEC §20). */
const FACTOR_REVOKE_TTL_MS = 30 * 60_000;

/** What a "This wasn't me" link removes: TOTP (and its recovery codes), or one passkey by id. */
type FactorSubject = "totp" | { passkeyId: string };

export interface FactorLinkInput {
  userId: string;
  /** The address the notice goes to. */
  email: string;
  factor: FactorSubject;
  linkOrigin: string;
  now: Date;
}

/**
 * The one-time "This wasn't me" link of a new factor's notice (SPEC §20), issued in the
 * transaction that adds the factor: `<PUBLIC_ORIGIN>/remove-factor?token=…`. Its button (never the
 * GET) removes that factor and ends every session of the user (src/factors/).
 */
export async function issueFactorRevokeLink(
  executor: Kysely<Schema> | Transaction<Schema>,
  input: FactorLinkInput,
): Promise<{ url: string; expiresInMinutes: number }> {
  const { token } = await issueToken(executor, {
    userId: input.userId,
    purpose: "factor_revoke",
    email: input.email,
    subject: input.factor === "totp" ? "totp" : input.factor.passkeyId,
    now: input.now,
    ttlMs: FACTOR_REVOKE_TTL_MS,
  });
  return { url: link(input.linkOrigin, "/remove-factor", token), expiresInMinutes: FACTOR_REVOKE_TTL_MS / 60_000 };
}
