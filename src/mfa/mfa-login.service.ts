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

/** Sign-in with a second factor (SPEC §11, §13). */
export function createMfaLoginService(deps: MfaDeps & { sessions: SessionService }): MfaLoginService {
  const { db, keys } = deps;
  const now = deps.now ?? (() => new Date());

  /** The method that the code proves, or undefined when it proves nothing. */
  async function check(userId: string, code: string): Promise<"totp" | "recovery_code" | undefined> {
    const totp = await repo.findTotp(db, userId);
    if (!totp?.enabled_at) return undefined;
    const step = matchTotpStep(keys.decrypt(totp.secret_encrypted), code.trim(), now().getTime());
    if (step !== undefined) return (await repo.acceptStep(db, userId, step, false)) ? "totp" : undefined;
    const recovery = normaliseRecoveryCode(code);
    if (!/^[a-z2-7]{10}$/.test(recovery)) return undefined;
    return (await repo.useRecoveryCode(db, userId, keys.hashCode(recovery))) ? "recovery_code" : undefined;
  }

  async function tooManyFailures(userId: string): Promise<boolean> {
    if (!deps.limits) return false;
    const since = new Date(now().getTime() - MFA_FAILURE_LIMIT.windowMs);
    return (await repo.countMfaFailuresSince(db, userId, since)) >= MFA_FAILURE_LIMIT.count;
  }

  return {
    isRequired: (userId) => repo.isTotpEnabled(db, userId),

    async startTicket(userId) {
      const token = randomBytes(32).toString("base64url");
      await repo.createTicket(db, userId, hash(token), new Date(now().getTime() + TICKET_TTL_MS));
      return token;
    },

    async verify(mfaToken, code, client) {
      const ticket = await repo.findLiveTicket(db, hash(mfaToken), now(), TICKET_MAX_FAILURES);
      if (!ticket) throw new AppError("INVALID_MFA_CODE");
      if (await tooManyFailures(ticket.user_id)) {
        throw new AppError("RATE_LIMITED", { retryAfterSeconds: MFA_FAILURE_LIMIT.windowMs / 1000 });
      }
      const method = await check(ticket.user_id, code);
      if (!method) {
        await repo.countTicketFailure(db, ticket.id);
        await recordEvent(db, ticket.user_id, "mfa.failed", client);
        throw new AppError("INVALID_MFA_CODE");
      }
      const row = await createUserRepository(db).findUserById(ticket.user_id);
      if (!row || !(await repo.consumeTicket(db, ticket.id, now()))) throw new AppError("INVALID_MFA_CODE");
      const user = toUser(row);
      const { token } = await deps.sessions.createSession(user, method, client);
      await recordEvent(db, user.id, "login.succeeded", client);
      return { token, user };
    },
  };
}
