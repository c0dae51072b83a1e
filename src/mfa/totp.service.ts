import { randomBytes } from "node:crypto";
import { AppError } from "../errors.js";
import { recordEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import { enqueueMail, mfaDisabledMail, mfaEnabledMail } from "../mail/index.js";
import { issueFactorRevokeLink } from "../recovery/factor-links.js";
import { reauthenticate } from "../sessions/reauthenticate.js";
import { createSessionRepository } from "../sessions/sessions.repository.js";
import type { Authenticated } from "../sessions/sessions.service.js";
import { type MfaDeps, normaliseRecoveryCode, PENDING_TOTP_REUSE_SECONDS, RECOVERY_CODE_COUNT } from "./mfa.deps.js";
import * as repo from "./mfa.repository.js";
import { endTickets } from "./mfa-tickets.repository.js";
import { matchTotpStep, newTotpSecret, otpauthUrl } from "./totp.js";

interface MfaStatus {
  totp: boolean;
  recoveryCodesLeft: number;
}

export interface TotpService {
  status(auth: Authenticated): Promise<MfaStatus>;
  /**
   * A secret to scan (pending until enabled): the one this session asked for in the last 15
   * minutes, else a new one replacing any pending one; 409 MFA_ALREADY_ENABLED when TOTP is on.
   */
  setup(auth: Authenticated): Promise<{ secret: string; otpauthUrl: string }>;
  /** Turns TOTP on with the current password and a first good code; the ten recovery codes, shown once. */
  enable(auth: Authenticated, input: { code: string; password: string }, client: ClientInfo): Promise<string[]>;
  /** Turns TOTP off after the password is re-entered. */
  disable(auth: Authenticated, password: string, client: ClientInfo): Promise<void>;
  /**
   * Binding another factor with TOTP on needs a current code (SPEC §20): INVALID_MFA_CODE unless
   * `code` is one (used up: a step is accepted once); nothing to check when TOTP is off.
   */
  confirmCurrentCode(auth: Authenticated, code: string | undefined, client: ClientInfo): Promise<void>;
}

/** 10 codes of 10 base32 letters (50 bits each), shown as `xxxxx-xxxxx`. */
function newRecoveryCodes(): string[] {
  const alphabet = "abcdefghijklmnopqrstuvwxyz234567";
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const letters = [...randomBytes(10)].map((b) => alphabet[b % 32]).join("");
    return `${letters.slice(0, 5)}-${letters.slice(5)}`;
  });
}

/** What the TOTP operations share: the deps, and the clock the factory picked once. */
interface TotpContext {
  deps: MfaDeps;
  now: () => Date;
}

const forgotLink = (origin: string) => new URL("/forgot-password", origin).toString();

async function failed({ deps }: TotpContext, userId: string, client: ClientInfo): Promise<never> {
  await recordEvent(deps.db, userId, "mfa.failed", client);
  throw new AppError("INVALID_MFA_CODE");
}

async function status({ deps: { db } }: TotpContext, auth: Authenticated): Promise<MfaStatus> {
  return {
    totp: await repo.isTotpEnabled(db, auth.user.id),
    recoveryCodesLeft: await repo.countUnusedRecoveryCodes(db, auth.user.id),
  };
}

async function setup({ deps: { db, keys } }: TotpContext, auth: Authenticated) {
  const sealed = await repo.savePendingTotp(db, {
    userId: auth.user.id,
    sealed: keys.encrypt(newTotpSecret()),
    sessionId: auth.sessionId,
    reuseSeconds: PENDING_TOTP_REUSE_SECONDS,
  });
  if (sealed === undefined) throw new AppError("MFA_ALREADY_ENABLED");
  const secret = keys.decrypt(sealed);
  return { secret, otpauthUrl: otpauthUrl(secret, auth.user.email) };
}

async function enable(
  ctx: TotpContext,
  auth: Authenticated,
  input: { code: string; password: string },
  client: ClientInfo,
): Promise<string[]> {
  const { deps, now } = ctx;
  const { db, keys } = deps;
  await reauthenticate(deps, auth, input.password);
  const row = await repo.findTotp(db, auth.user.id);
  if (!row || row.enabled_at !== null) return failed(ctx, auth.user.id, client);
  const step = matchTotpStep(keys.decrypt(row.secret_encrypted), input.code, now().getTime());
  if (step === undefined) return failed(ctx, auth.user.id, client);
  const codes = newRecoveryCodes();
  const revoked = await db.transaction().execute(async (trx) => {
    if (!(await repo.acceptStep(trx, auth.user.id, step, true))) return undefined;
    await repo.replaceRecoveryCodes(
      trx,
      auth.user.id,
      codes.map((c) => keys.hashCode(normaliseRecoveryCode(c))),
    );
    const count = await createSessionRepository(trx).revokeUserSessions(auth.user.id, "mfa_enabled", auth.sessionId);
    await recordEvent(trx, auth.user.id, "mfa.enabled", client);
    const { id: userId, email, name } = auth.user;
    const linkOrigin = deps.linkOrigin;
    const revoke = await issueFactorRevokeLink(trx, { userId, email, factor: "totp", linkOrigin, now: now() });
    const mail = mfaEnabledMail({ name, link: forgotLink(linkOrigin), revoke });
    await enqueueMail(trx, { kind: "mfa_enabled", to: email, userId, ...mail });
    return count;
  });
  if (revoked === undefined) return failed(ctx, auth.user.id, client);
  deps.sessionEvents?.revoked?.("mfa_enabled", revoked);
  deps.mailQueued();
  return codes;
}

async function confirmCurrentCode(ctx: TotpContext, auth: Authenticated, code: string | undefined, client: ClientInfo) {
  const { db, keys } = ctx.deps;
  const row = await repo.findTotp(db, auth.user.id);
  if (!row?.enabled_at) return;
  const step =
    code === undefined
      ? undefined
      : matchTotpStep(keys.decrypt(row.secret_encrypted), code.trim(), ctx.now().getTime());
  if (step === undefined || !(await repo.acceptStep(db, auth.user.id, step, false))) {
    await failed(ctx, auth.user.id, client);
  }
}

async function disable({ deps, now }: TotpContext, auth: Authenticated, password: string, client: ClientInfo) {
  const user = await reauthenticate(deps, auth, password);
  const removed = await deps.db.transaction().execute(async (trx) => {
    if (!(await repo.deleteTotp(trx, user.id))) return false;
    await endTickets(trx, user.id, now()); // a ticket asked for the factor that is gone
    await recordEvent(trx, user.id, "mfa.disabled", client);
    const mail = mfaDisabledMail({ name: user.name, link: forgotLink(deps.linkOrigin) });
    await enqueueMail(trx, { kind: "mfa_disabled", to: user.email, userId: user.id, ...mail });
    return true;
  });
  if (removed) deps.mailQueued();
}

/** TOTP (SPEC §11): set up, enable with a first code, disable with the password. */
export function createTotpService(deps: MfaDeps): TotpService {
  const ctx: TotpContext = { deps, now: deps.now ?? (() => new Date()) };
  return {
    status: (auth) => status(ctx, auth),
    setup: (auth) => setup(ctx, auth),
    enable: (auth, input, client) => enable(ctx, auth, input, client),
    disable: (auth, password, client) => disable(ctx, auth, password, client),
    confirmCurrentCode: (auth, code, client) => confirmCurrentCode(ctx, auth, code, client),
  };
}
