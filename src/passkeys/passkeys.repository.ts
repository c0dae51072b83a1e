import { type Kysely, sql, type Transaction } from "kysely";
import type { Schema, WebAuthnPurpose } from "../db/schema.js";
import { AppError } from "../errors.js";
import type { ChallengeRow, PasskeyRow } from "./passkey.js";

type Executor = Kysely<Schema> | Transaction<Schema>;

interface NewPasskey {
  userId: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
}

interface NewChallenge {
  userId: string | null;
  purpose: WebAuthnPurpose;
  challenge: string;
  ttlMs: number;
}

interface ChallengeQuery {
  purpose: WebAuthnPurpose;
  /** A sign-in names its challenge by id. */
  id?: string;
  /** A registration names it by the user and the challenge the browser signed. */
  userId?: string;
  challenge?: string;
}

export interface PasskeyRepository {
  listPasskeys(userId: string): Promise<PasskeyRow[]>;
  countPasskeys(userId: string): Promise<number>;
  findByCredentialId(credentialId: string): Promise<PasskeyRow | undefined>;
  /** PASSKEY_REJECTED when the credential is stored already (the unique index decides). */
  insertPasskey(passkey: NewPasskey): Promise<PasskeyRow>;
  /** Deletes one of the user's passkeys; undefined when the user has none by that id. */
  deletePasskey(userId: string, id: string): Promise<PasskeyRow | undefined>;
  /** After a sign-in: the authenticator's new counter and the time. */
  markUsed(id: string, counter: number): Promise<void>;
  /** A new challenge that lives `ttlMs` by the database's clock; its id. */
  createChallenge(challenge: NewChallenge): Promise<string>;
  /** Uses a live challenge up, in one conditional UPDATE: of two racing requests only one gets it. */
  consumeChallenge(query: ChallengeQuery): Promise<ChallengeRow | undefined>;
  /** Drops challenges that expired more than an hour ago. */
  pruneChallenges(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown })?.code === "23505";
}

function listPasskeys(db: Executor, userId: string): Promise<PasskeyRow[]> {
  return db
    .selectFrom("passkeys")
    .selectAll()
    .where("user_id", "=", userId)
    .orderBy("created_at", "asc")
    .orderBy("seq", "asc")
    .execute();
}

async function countPasskeys(db: Executor, userId: string): Promise<number> {
  const row = await db
    .selectFrom("passkeys")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function findByCredentialId(db: Executor, credentialId: string): Promise<PasskeyRow | undefined> {
  return db.selectFrom("passkeys").selectAll().where("credential_id", "=", credentialId).executeTakeFirst();
}

async function insertPasskey(db: Executor, passkey: NewPasskey): Promise<PasskeyRow> {
  try {
    return await db
      .insertInto("passkeys")
      .values({
        user_id: passkey.userId,
        credential_id: passkey.credentialId,
        public_key: passkey.publicKey,
        counter: passkey.counter,
        transports: passkey.transports,
        name: passkey.name,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("PASSKEY_REJECTED", { cause: error });
    throw error;
  }
}

async function deletePasskey(db: Executor, userId: string, id: string): Promise<PasskeyRow | undefined> {
  if (!UUID.test(id)) return undefined;
  return db.deleteFrom("passkeys").where("id", "=", id).where("user_id", "=", userId).returningAll().executeTakeFirst();
}

async function markUsed(db: Executor, id: string, counter: number): Promise<void> {
  await db.updateTable("passkeys").set({ counter, last_used_at: sql<Date>`now()` }).where("id", "=", id).execute();
}

async function createChallenge(db: Executor, challenge: NewChallenge): Promise<string> {
  const row = await db
    .insertInto("webauthn_challenges")
    .values({
      user_id: challenge.userId,
      purpose: challenge.purpose,
      challenge: challenge.challenge,
      expires_at: sql<Date>`now() + make_interval(secs => ${challenge.ttlMs / 1000})`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

async function consumeChallenge(db: Executor, query: ChallengeQuery): Promise<ChallengeRow | undefined> {
  if (query.id !== undefined && !UUID.test(query.id)) return undefined;
  let update = db
    .updateTable("webauthn_challenges")
    .set({ used_at: sql<Date>`now()` })
    .where("purpose", "=", query.purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", sql<Date>`now()`);
  if (query.id !== undefined) update = update.where("id", "=", query.id);
  if (query.userId !== undefined) update = update.where("user_id", "=", query.userId);
  if (query.challenge !== undefined) update = update.where("challenge", "=", query.challenge);
  if (query.id === undefined && query.challenge === undefined) return undefined;
  return update.returningAll().executeTakeFirst();
}

async function pruneChallenges(db: Executor): Promise<void> {
  await db.deleteFrom("webauthn_challenges").where("expires_at", "<", sql<Date>`now() - interval '1 hour'`).execute();
}

/** Passkeys and WebAuthn challenges in PostgreSQL; the database's clock decides expiry. */
export function createPasskeyRepository(db: Executor): PasskeyRepository {
  return {
    listPasskeys: (userId) => listPasskeys(db, userId),
    countPasskeys: (userId) => countPasskeys(db, userId),
    findByCredentialId: (credentialId) => findByCredentialId(db, credentialId),
    insertPasskey: (passkey) => insertPasskey(db, passkey),
    deletePasskey: (userId, id) => deletePasskey(db, userId, id),
    markUsed: (id, counter) => markUsed(db, id, counter),
    createChallenge: (challenge) => createChallenge(db, challenge),
    consumeChallenge: (query) => consumeChallenge(db, query),
    pruneChallenges: () => pruneChallenges(db),
  };
}
