import { type Kysely, sql } from "kysely";
import { NEW_USER, type NewUserRow } from "../db/new-user-rows.js";
import type { Schema } from "../db/schema.js";
import type { UserRow } from "../users/user.js";
import type { AuthMethod, ClientInfo, RevokeReason, SessionRow } from "./session.js";

interface NewSession extends ClientInfo {
  userId: string;
  method: AuthMethod;
  expiresAt: Date;
}

interface LiveSession {
  user: UserRow;
  session: Pick<SessionRow, "id" | "last_seen_at" | "auth_method">;
}

export interface SessionRepository {
  createSession(session: NewSession): Promise<SessionRow>;
  /** A new user's first session, in the sign-up's one statement; it returns the session's id. */
  sessionForNewUser(session: Omit<NewSession, "userId">): NewUserRow;
  /** The session and its user, in one indexed query, when the session is live and the user exists. */
  findLiveSession(sessionId: string, userId: string): Promise<LiveSession | undefined>;
  /** Moves last_seen_at to now unless it already moved in the last `minSeconds`. */
  touchSession(sessionId: string, minSeconds: number): Promise<void>;
  /** Live sessions of a user, newest first. */
  listLiveSessions(userId: string): Promise<SessionRow[]>;
  /** Revokes one live session of this user; false when there is none by that id. */
  revokeSession(userId: string, sessionId: string, reason: RevokeReason): Promise<boolean>;
  /** Revokes every live session of the user but `keepId` (none kept when undefined); returns how many. */
  revokeUserSessions(userId: string, reason: RevokeReason, keepId?: string): Promise<number>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const live = sql<boolean>`revoked_at is null and expires_at > now()`;

/** The session check of every authenticated request, as one prepared statement (see findLiveSession). */
const LIVE_SESSION_SQL = `
  select u.*, s.id as session_id, s.last_seen_at as session_last_seen_at, s.auth_method as session_method
  from sessions s inner join users u on u.id = s.user_id
  where s.id = $1 and s.user_id = $2 and s.revoked_at is null and s.expires_at > now()`;

type LiveSessionRow = UserRow & {
  session_id: string;
  session_last_seen_at: Date;
  session_method: SessionRow["auth_method"];
};

/** Runs a named prepared statement (Database.prepared); without one, queries go through Kysely. */
export type Prepared = <Row>(name: string, text: string, values: readonly unknown[]) => Promise<Row[]>;

async function liveRow(
  db: Kysely<Schema>,
  prepared: Prepared | undefined,
  sessionId: string,
  userId: string,
): Promise<LiveSessionRow | undefined> {
  if (prepared)
    return (await prepared<LiveSessionRow>("portico_live_session", LIVE_SESSION_SQL, [sessionId, userId]))[0];
  return db
    .selectFrom("sessions as s")
    .innerJoin("users as u", "u.id", "s.user_id")
    .selectAll("u")
    .select(["s.id as session_id", "s.last_seen_at as session_last_seen_at", "s.auth_method as session_method"])
    .where("s.id", "=", sessionId)
    .where("s.user_id", "=", userId)
    .where("s.revoked_at", "is", null)
    .where("s.expires_at", ">", sql<Date>`now()`)
    .executeTakeFirst();
}

function createSession(db: Kysely<Schema>, session: NewSession): Promise<SessionRow> {
  return db
    .insertInto("sessions")
    .values({
      user_id: session.userId,
      auth_method: session.method,
      expires_at: session.expiresAt,
      ip: session.ip,
      user_agent: session.userAgent,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

function sessionForNewUser(session: Omit<NewSession, "userId">): NewUserRow {
  return sql`insert into sessions (user_id, auth_method, expires_at, ip, user_agent)
        select id, ${session.method}, ${session.expiresAt}, ${session.ip ?? null}, ${session.userAgent ?? null}
        from ${NEW_USER} returning id`;
}

async function findLiveSession(
  db: Kysely<Schema>,
  prepared: Prepared | undefined,
  sessionId: string,
  userId: string,
): Promise<LiveSession | undefined> {
  if (!UUID.test(sessionId) || !UUID.test(userId)) return undefined;
  const row = await liveRow(db, prepared, sessionId, userId);
  if (!row) return undefined;
  const { session_id, session_last_seen_at, session_method, ...user } = row;
  return { user, session: { id: session_id, last_seen_at: session_last_seen_at, auth_method: session_method } };
}

async function touchSession(db: Kysely<Schema>, sessionId: string, minSeconds: number): Promise<void> {
  await db
    .updateTable("sessions")
    .set({ last_seen_at: sql<Date>`now()` })
    .where("id", "=", sessionId)
    .where("last_seen_at", "<", sql<Date>`now() - make_interval(secs => ${minSeconds})`)
    .execute();
}

function listLiveSessions(db: Kysely<Schema>, userId: string): Promise<SessionRow[]> {
  return db
    .selectFrom("sessions")
    .selectAll()
    .where("user_id", "=", userId)
    .where(live)
    .orderBy("created_at", "desc")
    .orderBy("seq", "desc")
    .execute();
}

async function revokeSession(
  db: Kysely<Schema>,
  userId: string,
  sessionId: string,
  reason: RevokeReason,
): Promise<boolean> {
  if (!UUID.test(sessionId)) return false;
  const result = await db
    .updateTable("sessions")
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where("id", "=", sessionId)
    .where("user_id", "=", userId)
    .where(live)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

async function revokeUserSessions(
  db: Kysely<Schema>,
  userId: string,
  reason: RevokeReason,
  keepId?: string,
): Promise<number> {
  let query = db
    .updateTable("sessions")
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where("user_id", "=", userId)
    .where(live);
  if (keepId) query = query.where("id", "!=", keepId);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Sessions in PostgreSQL. The database decides liveness (its clock), so every instance agrees.
 * `prepared`, when given, serves the per-request check without parsing and planning it each time.
 */
export function createSessionRepository(db: Kysely<Schema>, prepared?: Prepared): SessionRepository {
  return {
    createSession: (session) => createSession(db, session),
    sessionForNewUser,
    findLiveSession: (sessionId, userId) => findLiveSession(db, prepared, sessionId, userId),
    touchSession: (sessionId, minSeconds) => touchSession(db, sessionId, minSeconds),
    listLiveSessions: (userId) => listLiveSessions(db, userId),
    revokeSession: (userId, sessionId, reason) => revokeSession(db, userId, sessionId, reason),
    revokeUserSessions: (userId, reason, keepId) => revokeUserSessions(db, userId, reason, keepId),
  };
}
