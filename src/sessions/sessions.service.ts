import type { NewUserRow } from "../db/new-user-rows.js";
import { AppError } from "../errors.js";
import { toUser, type User } from "../users/user.js";
import { type AuthMethod, type ClientInfo, type RevokeReason, type Session, toSession } from "./session.js";
import type { SessionRepository } from "./sessions.repository.js";
import type { TokenSigner } from "./tokens.js";

/** "Last seen" moves at most this often per session, so authenticated reads stay reads. */
const LAST_SEEN_INTERVAL_SECONDS = 5 * 60;

/** Who a request is: the user and the session its token names. */
export interface Authenticated {
  user: User;
  sessionId: string;
  authMethod: AuthMethod;
}

export interface SessionEvents {
  created?(method: AuthMethod): void;
  revoked?(reason: RevokeReason, count: number): void;
}

export interface SessionService {
  /** A new session for a user who just proved who they are, and the token that names it. */
  createSession(user: User, method: AuthMethod, client: ClientInfo): Promise<{ token: string; sessionId: string }>;
  /**
   * A new user's first session, written by the sign-up's one statement (`row`); `token` signs
   * its token once the statement has given the session's id.
   */
  sessionForNewUser(
    method: AuthMethod,
    client: ClientInfo,
  ): { row: NewUserRow; token(user: User, sessionId: string): string };
  /** The user and session of a bearer token; UNAUTHORIZED unless the token is good and its session live. */
  validateToken(token: string): Promise<Authenticated>;
  listSessions(auth: Authenticated): Promise<Session[]>;
  /** NOT_FOUND unless `sessionId` is one of the caller's live sessions. */
  revokeSession(auth: Authenticated, sessionId: string, reason: RevokeReason, client: ClientInfo): Promise<void>;
  revokeOtherSessions(auth: Authenticated, client: ClientInfo): Promise<number>;
  /** Every live session of the user (password reset, role change, operator). */
  revokeUserSessions(userId: string, reason: RevokeReason, keepSessionId?: string): Promise<number>;
}

export interface SessionServiceDeps {
  sessions: SessionRepository;
  tokens: TokenSigner;
  lifetimeSeconds: number;
  events?: SessionEvents;
  /** Writes a security event (`session.revoked`: one per action the user takes). */
  recordEvent?: (userId: string, type: "session.revoked", client: ClientInfo) => Promise<void>;
  /**
   * Called when "Log out of all other sessions" ended the others: what else must end with them
   * (a pending e-mail change; the features that own it say how).
   */
  othersRevoked?: (userId: string) => Promise<void>;
  /** Told when moving "last seen" fails; the request itself still succeeds. */
  onTouchError?: (error: unknown) => void;
  now?: () => number;
}

/** What the session operations share: the deps, with the events and the clock the factory settled once. */
interface SessionContext {
  deps: SessionServiceDeps;
  events: SessionEvents;
  now: () => number;
}

async function touch({ deps, now }: SessionContext, sessionId: string, lastSeen: Date) {
  if (now() - new Date(lastSeen).getTime() < LAST_SEEN_INTERVAL_SECONDS * 1000) return;
  try {
    await deps.sessions.touchSession(sessionId, LAST_SEEN_INTERVAL_SECONDS);
  } catch (error) {
    deps.onTouchError?.(error);
  }
}

async function createSession(
  { deps, events, now }: SessionContext,
  user: User,
  method: AuthMethod,
  client: ClientInfo,
): Promise<{ token: string; sessionId: string }> {
  const issuedAt = Math.floor(now() / 1000);
  const expiresAt = issuedAt + deps.lifetimeSeconds;
  const row = await deps.sessions.createSession({
    userId: user.id,
    method,
    expiresAt: new Date(expiresAt * 1000),
    ...client,
  });
  events.created?.(method);
  return { token: deps.tokens.signToken(user, { id: row.id, issuedAt, expiresAt }), sessionId: row.id };
}

function sessionForNewUser({ deps, events, now }: SessionContext, method: AuthMethod, client: ClientInfo) {
  const issuedAt = Math.floor(now() / 1000);
  const expiresAt = issuedAt + deps.lifetimeSeconds;
  return {
    row: deps.sessions.sessionForNewUser({ method, expiresAt: new Date(expiresAt * 1000), ...client }),
    token(user: User, sessionId: string) {
      events.created?.(method);
      return deps.tokens.signToken(user, { id: sessionId, issuedAt, expiresAt });
    },
  };
}

async function validateToken(ctx: SessionContext, token: string): Promise<Authenticated> {
  const claims = ctx.deps.tokens.verifyToken(token);
  const live = await ctx.deps.sessions.findLiveSession(claims.sid, claims.sub);
  if (!live) throw new AppError("UNAUTHORIZED");
  await touch(ctx, live.session.id, live.session.last_seen_at);
  return { user: toUser(live.user), sessionId: live.session.id, authMethod: live.session.auth_method };
}

async function listSessions({ deps }: SessionContext, auth: Authenticated): Promise<Session[]> {
  const rows = await deps.sessions.listLiveSessions(auth.user.id);
  return rows.map((row) => toSession(row, auth.sessionId));
}

async function revokeSession(
  { deps, events }: SessionContext,
  auth: Authenticated,
  sessionId: string,
  reason: RevokeReason,
  client: ClientInfo,
): Promise<void> {
  if (!(await deps.sessions.revokeSession(auth.user.id, sessionId, reason))) throw new AppError("NOT_FOUND");
  events.revoked?.(reason, 1);
  await deps.recordEvent?.(auth.user.id, "session.revoked", client);
}

async function revokeOtherSessions({ deps, events }: SessionContext, auth: Authenticated, client: ClientInfo) {
  const count = await deps.sessions.revokeUserSessions(auth.user.id, "revoke_others", auth.sessionId);
  events.revoked?.("revoke_others", count);
  await deps.othersRevoked?.(auth.user.id);
  if (count > 0) await deps.recordEvent?.(auth.user.id, "session.revoked", client);
  return count;
}

async function revokeUserSessions(
  { deps, events }: SessionContext,
  userId: string,
  reason: RevokeReason,
  keepSessionId?: string,
): Promise<number> {
  const count = await deps.sessions.revokeUserSessions(userId, reason, keepSessionId);
  events.revoked?.(reason, count);
  return count;
}

/**
 * Sessions (SPEC §6): the token's signature says who issued it, the session row says whether it
 * still counts. The database is the judge on every request: nothing is cached, so a revocation
 * on one instance is seen by the next request on any other.
 */
export function createSessionService(deps: SessionServiceDeps): SessionService {
  const ctx: SessionContext = { deps, events: deps.events ?? {}, now: deps.now ?? Date.now };
  return {
    createSession: (user, method, client) => createSession(ctx, user, method, client),
    sessionForNewUser: (method, client) => sessionForNewUser(ctx, method, client),
    validateToken: (token) => validateToken(ctx, token),
    listSessions: (auth) => listSessions(ctx, auth),
    revokeSession: (auth, sessionId, reason, client) => revokeSession(ctx, auth, sessionId, reason, client),
    revokeOtherSessions: (auth, client) => revokeOtherSessions(ctx, auth, client),
    revokeUserSessions: (userId, reason, keepSessionId) => revokeUserSessions(ctx, userId, reason, keepSessionId),
  };
}
