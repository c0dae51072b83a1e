import { type Kysely, sql, type Transaction } from "kysely";
import type { Schema } from "../db/schema.js";

type Executor = Kysely<Schema> | Transaction<Schema>;

/** TOTP rows and recovery codes (SQL only; the rules are in the services). Tickets: mfa-tickets.repository.ts. */

export async function findTotp(executor: Executor, userId: string) {
  return executor.selectFrom("mfa_totp").selectAll().where("user_id", "=", userId).executeTakeFirst();
}

export async function isTotpEnabled(executor: Executor, userId: string): Promise<boolean> {
  const row = await executor
    .selectFrom("mfa_totp")
    .select("user_id")
    .where("user_id", "=", userId)
    .where("enabled_at", "is not", null)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * A pending secret (setup), replacing an earlier pending one, never an enabled one, unless the
 * same session asked less than `reuseSeconds` ago: that one stays (a reload or a second tab must
 * not void the key already scanned). One statement, so two racing requests agree. The pending
 * secret now stored, sealed; undefined when TOTP is on.
 */
export async function savePendingTotp(
  executor: Executor,
  pending: { userId: string; sealed: string; sessionId: string; reuseSeconds: number },
): Promise<string | undefined> {
  const keep = sql<boolean>`mfa_totp.setup_session_id = ${pending.sessionId} AND mfa_totp.created_at > now() - make_interval(secs => ${pending.reuseSeconds})`;
  const row = await executor
    .insertInto("mfa_totp")
    .values({ user_id: pending.userId, secret_encrypted: pending.sealed, setup_session_id: pending.sessionId })
    .onConflict((oc) =>
      oc
        .column("user_id")
        .doUpdateSet({
          secret_encrypted: sql`CASE WHEN ${keep} THEN mfa_totp.secret_encrypted ELSE excluded.secret_encrypted END`,
          last_step: sql`CASE WHEN ${keep} THEN mfa_totp.last_step END`,
          created_at: sql`CASE WHEN ${keep} THEN mfa_totp.created_at ELSE now() END`,
          setup_session_id: pending.sessionId,
        })
        .where("mfa_totp.enabled_at", "is", null),
    )
    .returning("secret_encrypted")
    .executeTakeFirst();
  return row?.secret_encrypted;
}

/**
 * Takes time step `step` for the user: true only when it is newer than every step accepted
 * before (RFC 6238 §5.2: a code is accepted once). `enabling` picks a pending row, else an enabled one.
 */
export async function acceptStep(
  executor: Executor,
  userId: string,
  step: number,
  enabling: boolean,
): Promise<boolean> {
  let query = executor
    .updateTable("mfa_totp")
    .set({ last_step: step, ...(enabling && { enabled_at: new Date() }) })
    .where("user_id", "=", userId)
    .where((eb) => eb.or([eb("last_step", "is", null), eb("last_step", "<", String(step))]));
  query = enabling ? query.where("enabled_at", "is", null) : query.where("enabled_at", "is not", null);
  const result = await query.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteTotp(executor: Executor, userId: string): Promise<boolean> {
  await executor.deleteFrom("mfa_recovery_codes").where("user_id", "=", userId).execute();
  const result = await executor.deleteFrom("mfa_totp").where("user_id", "=", userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function replaceRecoveryCodes(executor: Executor, userId: string, hashes: string[]): Promise<void> {
  await executor.deleteFrom("mfa_recovery_codes").where("user_id", "=", userId).execute();
  await executor
    .insertInto("mfa_recovery_codes")
    .values(hashes.map((code_hash) => ({ user_id: userId, code_hash })))
    .execute();
}

/** Uses a recovery code up: true for the one request that got it. */
export async function useRecoveryCode(executor: Executor, userId: string, hash: string): Promise<boolean> {
  const result = await executor
    .updateTable("mfa_recovery_codes")
    .set({ used_at: new Date() })
    .where("user_id", "=", userId)
    .where("code_hash", "=", hash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function countUnusedRecoveryCodes(executor: Executor, userId: string): Promise<number> {
  const row = await executor
    .selectFrom("mfa_recovery_codes")
    .select((eb) => eb.fn.countAll<string>().as("count"))
    .where("user_id", "=", userId)
    .where("used_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
