import { type Kysely, sql } from "kysely";
import type { NewUserRow } from "../db/new-user-rows.js";
import type { Schema } from "../db/schema.js";
import { AppError } from "../errors.js";
import type { Role, UserRow } from "./user.js";

export interface NewUser {
  email: string;
  name: string;
  firstName: string | null;
  lastName: string | null;
  passwordHash: string;
}

export interface UserRepository {
  findUserByEmail(email: string): Promise<UserRow | undefined>;
  findUserById(id: string): Promise<UserRow | undefined>;
  /** Throws AppError EMAIL_TAKEN when the e-mail (in any case) is already stored. */
  createUser(user: NewUser): Promise<UserRow>;
  /**
   * The user and the rows other features write with it (its first event, verification link and
   * mail, session), in one statement; `session_id` is the session's id when one was given.
   * EMAIL_TAKEN as createUser.
   */
  createUserWith(
    user: NewUser,
    rows: NewUserRow[],
    session?: NewUserRow,
  ): Promise<UserRow & { session_id: string | null }>;
  /** Replaces a hash only if it is still `previousHash`, so two concurrent re-hashes cannot clash. */
  updatePasswordHash(id: string, previousHash: string, passwordHash: string): Promise<boolean>;
  /** Returns the updated user, or undefined when no user has this e-mail. */
  setRole(email: string, role: Role): Promise<UserRow | undefined>;
  /** Sets a new password hash (reset, change), whatever the old one was. */
  setPasswordHash(id: string, passwordHash: string): Promise<void>;
  /** Moves the user to a new, verified address; EMAIL_TAKEN when another user holds it. */
  setEmail(id: string, email: string, verifiedAt: Date): Promise<UserRow | undefined>;
  /** Deletes the user; sessions, tokens, events and queued mails go with it (ON DELETE CASCADE). */
  deleteUser(id: string): Promise<boolean>;
  /** Marks the address verified (first time only); returns the user. */
  markEmailVerified(id: string, at: Date): Promise<UserRow | undefined>;
  /**
   * Marks the address verified if it was not: true only for the one call that did it (a
   * concurrent verification waits on the row and then finds it verified). A reset needs to know.
   */
  verifyEmailFirstTime(id: string, at: Date): Promise<boolean>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const e = error as { code?: unknown; constraint?: unknown };
  // PGlite's errors are not pg's DatabaseError class: test the code, not instanceof.
  return e?.code === "23505" && (e.constraint === undefined || e.constraint === constraint);
}

async function findUserByEmail(db: Kysely<Schema>, email: string): Promise<UserRow | undefined> {
  // PostgreSQL text cannot hold NUL (it would fail with 22021 → 500): no stored user has one.
  if (email.includes("\u0000")) return undefined;
  return db.selectFrom("users").selectAll().where(sql`lower(email)`, "=", email.toLowerCase()).executeTakeFirst();
}

async function createUserWith(
  db: Kysely<Schema>,
  user: NewUser,
  rows: NewUserRow[],
  session?: NewUserRow,
): Promise<UserRow & { session_id: string | null }> {
  const parts = [
    sql`new_user as (insert into users (email, name, first_name, last_name, password_hash)
          values (${user.email}, ${user.name}, ${user.firstName}, ${user.lastName}, ${user.passwordHash}) returning *)`,
    ...rows.map((row, i) => sql`${sql.raw(`with_user_${i}`)} as (${row})`),
    ...(session ? [sql`new_session as (${session})`] : []),
  ];
  const result = session
    ? sql`select new_user.*, new_session.id as session_id from new_user, new_session`
    : sql`select new_user.*, null as session_id from new_user`;
  try {
    const { rows: created } = await sql<
      UserRow & { session_id: string | null }
    >`with ${sql.join(parts)} ${result}`.execute(db);
    return created[0] as UserRow & { session_id: string | null };
  } catch (error) {
    if (isUniqueViolation(error, "users_email_key")) throw new AppError("EMAIL_TAKEN", { cause: error });
    throw error;
  }
}

async function findUserById(db: Kysely<Schema>, id: string): Promise<UserRow | undefined> {
  if (!UUID.test(id)) return undefined;
  return db.selectFrom("users").selectAll().where("id", "=", id).executeTakeFirst();
}

async function createUser(db: Kysely<Schema>, user: NewUser): Promise<UserRow> {
  try {
    return await db
      .insertInto("users")
      .values({
        email: user.email,
        name: user.name,
        first_name: user.firstName,
        last_name: user.lastName,
        password_hash: user.passwordHash,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (error) {
    if (isUniqueViolation(error, "users_email_key")) {
      throw new AppError("EMAIL_TAKEN", { cause: error });
    }
    throw error;
  }
}

async function updatePasswordHash(
  db: Kysely<Schema>,
  id: string,
  previousHash: string,
  passwordHash: string,
): Promise<boolean> {
  const result = await db
    .updateTable("users")
    .set({ password_hash: passwordHash, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .where("password_hash", "=", previousHash)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

async function setPasswordHash(db: Kysely<Schema>, id: string, passwordHash: string): Promise<void> {
  await db
    .updateTable("users")
    .set({ password_hash: passwordHash, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .execute();
}

async function setEmail(db: Kysely<Schema>, id: string, email: string, verifiedAt: Date): Promise<UserRow | undefined> {
  try {
    return await db
      .updateTable("users")
      .set({ email, email_verified_at: verifiedAt, updated_at: sql<Date>`now()` })
      .where("id", "=", id)
      .returningAll()
      .executeTakeFirst();
  } catch (error) {
    if (isUniqueViolation(error, "users_email_key")) throw new AppError("EMAIL_TAKEN", { cause: error });
    throw error;
  }
}

async function deleteUser(db: Kysely<Schema>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("users").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

function markEmailVerified(db: Kysely<Schema>, id: string, at: Date): Promise<UserRow | undefined> {
  return db
    .updateTable("users")
    .set({ email_verified_at: sql<Date>`coalesce(email_verified_at, ${at})`, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

async function verifyEmailFirstTime(db: Kysely<Schema>, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable("users")
    .set({ email_verified_at: at, updated_at: sql<Date>`now()` })
    .where("id", "=", id)
    .where("email_verified_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

async function setRole(db: Kysely<Schema>, email: string, role: Role): Promise<UserRow | undefined> {
  return db
    .updateTable("users")
    .set({ role, updated_at: sql<Date>`now()` })
    .where(sql`lower(email)`, "=", email.toLowerCase())
    .returningAll()
    .executeTakeFirst();
}

/** Users in PostgreSQL. E-mails are compared by lower(email), which the unique index covers. */
export function createUserRepository(db: Kysely<Schema>): UserRepository {
  return {
    findUserByEmail: (email) => findUserByEmail(db, email),
    createUserWith: (user, rows, session) => createUserWith(db, user, rows, session),
    findUserById: (id) => findUserById(db, id),
    createUser: (user) => createUser(db, user),
    updatePasswordHash: (id, previousHash, passwordHash) => updatePasswordHash(db, id, previousHash, passwordHash),
    setPasswordHash: (id, passwordHash) => setPasswordHash(db, id, passwordHash),
    setEmail: (id, email, verifiedAt) => setEmail(db, id, email, verifiedAt),
    deleteUser: (id) => deleteUser(db, id),
    markEmailVerified: (id, at) => markEmailVerified(db, id, at),
    verifyEmailFirstTime: (id, at) => verifyEmailFirstTime(db, id, at),
    setRole: (email, role) => setRole(db, email, role),
  };
}
