import { createHash, randomBytes } from "node:crypto";
import { AppError } from "../errors.js";
import { recordEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import type { SessionService } from "../sessions/sessions.service.js";
import { toUser, type User } from "../users/user.js";
import { createUserRepository } from "../users/users.repository.js";
import {
  MFA_FAILURE_LIMIT,
  type MfaDeps,
  normaliseRecoveryCode,
  TICKET_MAX_FAILURES,
  TICKET_TTL_MS,
} from "./mfa.deps.js";
import * as repo from "./mfa.repository.js";
import * as tickets from "./mfa-tickets.repository.js";
import { matchTotpStep } from "./totp.js";

export interface MfaLoginService {
  /** Whether sign-in needs a second factor after the password. */
  isRequired(userId: string): Promise<boolean>;
  /** The ticket for the second step (5 minutes, 5 failures). */
  startTicket(userId: string): Promise<string>;
  /** A TOTP code or an unused recovery code for a live ticket → a session. */
  verify(mfaToken: string, code: string, client: ClientInfo): Promise<{ token: string; user: User }>;
}

const hash = (token: string) => createHash("sha256").update(token, "utf8").digest("hex");

type LoginDeps = MfaDeps & { sessions: SessionService };

/** What the sign-in operations share: the deps, and the clock the factory picked once. */
interface LoginContext {
  deps: LoginDeps;
  now: () => Date;
}

/** The method that the code proves, or undefined when it proves nothing. */
async function check({ deps, now }: LoginContext, userId: string, code: string) {
  const { db, keys } = deps;
  const totp = await repo.findTotp(db, userId);
  if (!totp?.enabled_at) return undefined;
  const step = matchTotpStep(keys.decrypt(totp.secret_encrypted), code.trim(), now().getTime());
  if (step !== undefined) return (await repo.acceptStep(db, userId, step, false)) ? "totp" : undefined;
  const recovery = normaliseRecoveryCode(code);
  if (!/^[a-z2-7]{10}$/.test(recovery)) return undefined;
  return (await repo.useRecoveryCode(db, userId, keys.hashCode(recovery))) ? "recovery_code" : undefined;
}

/**
 * The account's place for this try (the window it was taken in), or undefined with limits off.
 * Over the cap: 429, and the ticket's try is given back (its code was never checked).
 */
async function reserveAccountPlace({ deps, now }: LoginContext, ticket: { id: string; user_id: string }) {
  if (!deps.limits) return undefined;
  const at = now();
  const started = await tickets.reserveAccountTry(deps.db, ticket.user_id, at, MFA_FAILURE_LIMIT);
  if (started) return started;
  const window = await tickets.accountWindowStart(deps.db, ticket.user_id);
  if (!window) throw new AppError("INVALID_MFA_CODE"); // TOTP is off: no code can be right
  await tickets.returnTicketTry(deps.db, ticket.id);
  // The clock read again, after the window was read: the request that started the window read it
  // later than `at` may be, and `at` would then put the end more than a window away.
  const later = now().getTime();
  const endsAt = (window.startedAt?.getTime() ?? later) + MFA_FAILURE_LIMIT.windowMs;
  throw new AppError("RATE_LIMITED", { retryAfterSeconds: Math.max(1, Math.ceil((endsAt - later) / 1000)) });
}

async function verify(ctx: LoginContext, mfaToken: string, code: string, client: ClientInfo) {
  const { deps, now } = ctx;
  const { db } = deps;
  // Both caps are taken before the code is checked (see mfa-tickets.repository.ts).
  const ticket = await tickets.reserveTicketTry(db, hash(mfaToken), now(), TICKET_MAX_FAILURES);
  if (!ticket) throw new AppError("INVALID_MFA_CODE");
  const place = await reserveAccountPlace(ctx, ticket);
  const method = await check(ctx, ticket.user_id, code);
  if (!method) {
    await recordEvent(db, ticket.user_id, "mfa.failed", client);
    throw new AppError("INVALID_MFA_CODE");
  }
  if (place) await tickets.returnAccountTry(db, ticket.user_id, place);
  const row = await createUserRepository(db).findUserById(ticket.user_id);
  if (!row || !(await tickets.consumeTicket(db, ticket.id, now()))) throw new AppError("INVALID_MFA_CODE");
  const user = toUser(row);
  const { token } = await deps.sessions.createSession(user, method, client);
  await recordEvent(db, user.id, "login.succeeded", client);
  return { token, user };
}

/** Sign-in with a second factor (SPEC §11, §13). */
export function createMfaLoginService(deps: LoginDeps): MfaLoginService {
  const ctx: LoginContext = { deps, now: deps.now ?? (() => new Date()) };
  return {
    isRequired: (userId) => repo.isTotpEnabled(deps.db, userId),
    async startTicket(userId) {
      const token = randomBytes(32).toString("base64url");
      await tickets.createTicket(deps.db, userId, hash(token), new Date(ctx.now().getTime() + TICKET_TTL_MS));
      return token;
    },
    verify: (mfaToken, code, client) => verify(ctx, mfaToken, code, client),
  };
}
