import type { Router } from "express";
import { createAccountRouter } from "./account/account.routes.js";
import { createAccountService } from "./account/account.service.js";
import { createAuthLimits, passwordRecheckLimits } from "./auth/auth.limits.js";
import type { AuthMetrics } from "./auth/auth.metrics.js";
import { createAuthRouter } from "./auth/auth.routes.js";
import { createAuthService } from "./auth/auth.service.js";
import { logAuthFailures } from "./auth/auth-failure-log.js";
import type { Config } from "./config.js";
import type { Database } from "./db/index.js";
import { recordEvent } from "./events/events.js";
import { createFactorRevokeService } from "./factors/factor-revoke.service.js";
import { createFactorsRouter } from "./factors/factors.routes.js";
import type { RateLimits } from "./http/rate-limit.js";
import { createMfaRouter } from "./mfa/mfa.routes.js";
import { createMfaKeys } from "./mfa/mfa-crypto.js";
import { createMfaLoginService } from "./mfa/mfa-login.service.js";
import { createTotpService } from "./mfa/totp.service.js";
import type { Logger } from "./ops/logger.js";
import type { Metrics } from "./ops/metrics.js";
import { createPasskeyServices, createPasskeysRouter, relyingPartyOf } from "./passkeys/index.js";
import { voidTokens } from "./recovery/one-time-tokens.js";
import type { RecoveryDeps } from "./recovery/recovery.deps.js";
import { createRecoveryRouter } from "./recovery/recovery.routes.js";
import { createResetService } from "./recovery/reset.service.js";
import { createVerificationService } from "./recovery/verification.service.js";
import { resolveJwtSecret } from "./sessions/jwt-secret.js";
import { requireSession } from "./sessions/require-session.js";
import { createSessionRepository } from "./sessions/sessions.repository.js";
import { createSessionsRouter } from "./sessions/sessions.routes.js";
import { createSessionService, type SessionEvents } from "./sessions/sessions.service.js";
import { createTokenSigner } from "./sessions/tokens.js";
import { createPasswordHasher, type PasswordHasher } from "./users/passwords.js";

export interface FeatureDeps {
  config: Config;
  logger: Logger;
  database: Database;
  metrics: Metrics;
  /** Sign-up and sign-in outcomes (src/auth/auth.metrics.ts). */
  authMetrics: AuthMetrics;
  /** Sessions created and revoked (src/sessions/sessions.metrics.ts). */
  sessionEvents: SessionEvents;
  rateLimits: RateLimits | undefined;
  /** Wakes this instance's mail worker after a transaction that queued mail committed. */
  mailQueued: () => void;
}

/**
 * The features, each a folder with its service and its router: built here from the config and
 * the shared parts (src/portico.ts), in the order their routers are mounted under /api/v1/auth.
 */
export function buildFeatures(deps: FeatureDeps): { passwords: PasswordHasher; routers: Router[] } {
  const shared = buildShared(deps);
  const services = buildServices(deps, shared);
  return { passwords: shared.passwords, routers: buildRouters(deps, shared, services) };
}

type Shared = ReturnType<typeof buildShared>;
type Services = ReturnType<typeof buildServices>;

/** What several features use: password hashing, tokens and sessions, the recovery deps. */
function buildShared({ config, logger, database, metrics, sessionEvents, mailQueued }: FeatureDeps) {
  const passwords = createPasswordHasher({
    cost: config.bcryptCost,
    concurrency: config.hashConcurrency,
    queueMax: config.hashQueueMax,
    onJobDone: metrics.observeHash,
  });
  const jwtSecret = resolveJwtSecret(config);
  const tokens = createTokenSigner({
    secret: jwtSecret,
    expiresInSeconds: config.jwtExpiresInSeconds,
    issuer: config.jwtIssuer,
  });
  const sessions = createSessionService({
    sessions: createSessionRepository(database.kysely, database.prepared),
    tokens,
    lifetimeSeconds: config.jwtExpiresInSeconds,
    events: sessionEvents,
    recordEvent: (userId, type, client) => recordEvent(database.kysely, userId, type, client),
    // A pending e-mail change ends with the others, even one this session asked for.
    othersRevoked: (userId) => voidTokens(database.kysely, userId, new Date(), "email_change"),
    onTouchError: (error) => logger.warn({ err: error }, "could not update a session's last-seen time"),
  });
  const recoveryDeps: RecoveryDeps = {
    db: database.kysely,
    passwords,
    linkOrigin: config.linkOrigin,
    verification: config.emailVerification,
    resetTtlMs: config.resetTokenTtlSeconds * 1000,
    limits: config.rateLimit,
    mailQueued,
    sessionEvents,
  };
  return { passwords, jwtSecret, sessions, recoveryDeps };
}

function buildServices({ config, logger, authMetrics, mailQueued }: FeatureDeps, shared: Shared) {
  const { passwords, jwtSecret, sessions, recoveryDeps } = shared;
  const mfaDeps = { ...recoveryDeps, keys: createMfaKeys(config.mfaKey ?? jwtSecret) };
  const mfaLogin = createMfaLoginService({ ...mfaDeps, sessions });
  const verification = createVerificationService(recoveryDeps);
  const totp = createTotpService(mfaDeps);
  const auth = createAuthService({
    db: recoveryDeps.db,
    passwords,
    sessions,
    verification: config.emailVerification,
    secondFactor: mfaLogin,
    rowsForNewUser: verification.rowsForNewUser,
    mailQueued,
    onRehashError: (error) => logger.warn({ err: error }, "password re-hash failed"),
  });
  return {
    auth: logAuthFailures(authMetrics.instrument(auth), logger, jwtSecret),
    verification,
    reset: createResetService(recoveryDeps),
    account: createAccountService(recoveryDeps),
    totp,
    mfaLogin,
    passkeys: createPasskeyServices({
      ...recoveryDeps,
      sessions,
      relyingParty: relyingPartyOf(config.linkOrigin),
      secondFactor: totp,
    }),
    factors: createFactorRevokeService(recoveryDeps),
  };
}

/**
 * The routers in mount order; each declares its own limits. The sign-in ones are shared with every
 * endpoint where a signed-in caller re-enters the password (`recheck`, SPEC §20).
 */
function buildRouters({ rateLimits }: FeatureDeps, { sessions }: Shared, services: Services): Router[] {
  const signedIn = requireSession(sessions);
  const authLimits = rateLimits && createAuthLimits(rateLimits.limiter);
  const recheck = authLimits ? passwordRecheckLimits(authLimits) : [];
  const limiter = rateLimits?.limiter;
  const { auth, verification, reset, account, totp, mfaLogin, passkeys, factors } = services;
  return [
    createAuthRouter(auth, signedIn, authLimits),
    createSessionsRouter(sessions, signedIn),
    createRecoveryRouter({ verification, reset, requireSession: signedIn, limiter }),
    createAccountRouter({ account, requireSession: signedIn, recheck }),
    createMfaRouter({ totp, login: mfaLogin, requireSession: signedIn, recheck, limiter }),
    createPasskeysRouter({ passkeys, requireSession: signedIn, recheck, limiter }),
    createFactorsRouter({ factors }),
  ];
}
