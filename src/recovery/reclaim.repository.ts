import type { Transaction } from "kysely";
import type { Schema } from "../db/schema.js";

/**
 * Reclaiming (SPEC §20): the ways to sign in that a holder of an unverified address set up, and
 * what they left pending, removed in the reset's transaction. This is the one list of them: a
 * feature that adds a way to sign in adds its table here.
 *
 * Not here because the reset does it for every account: the password itself, one-time links
 * (voidTokens) and sessions (revokeUserSessions).
 */
export async function removeWaysToSignIn(trx: Transaction<Schema>, userId: string): Promise<void> {
  await trx.deleteFrom("passkeys").where("user_id", "=", userId).execute();
  // A registration begun before the reset can no longer be finished with its challenge.
  await trx.deleteFrom("webauthn_challenges").where("user_id", "=", userId).execute();
  await trx.deleteFrom("mfa_recovery_codes").where("user_id", "=", userId).execute();
  // Enabled or pending (a setup not yet confirmed): either was the holder's secret.
  await trx.deleteFrom("mfa_totp").where("user_id", "=", userId).execute();
  // A sign-in ticket (the step between the password and the second factor) ends too.
  await trx.deleteFrom("mfa_tickets").where("user_id", "=", userId).execute();
  // Identities (accounts at other providers, SPEC §16) will be removed here too: none exist yet.
}
