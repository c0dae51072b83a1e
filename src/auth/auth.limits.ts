import { createHash } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import { ipKeyGenerator } from "express-rate-limit";
import type { LimiterFactory, RateLimitPolicy } from "../http/rate-limit.js";
import { parsedBody } from "../http/validate.js";
import { authOf } from "../sessions/require-session.js";

/**
 * Register: 30 requests per address per 5 min. Login (failures only): 100 per address, 10 per
 * (e-mail, address) and, for one e-mail from everywhere, a progressive delay beyond 100, per 15 min.
 */
export const RATE_LIMIT_POLICIES = {
  register: { limit: 30, windowMs: 5 * 60_000 },
  login_address: { limit: 100, windowMs: 15 * 60_000 },
  login_email_address: { limit: 10, windowMs: 15 * 60_000 },
  login_email: { limit: 100, windowMs: 15 * 60_000 },
} as const satisfies Record<string, RateLimitPolicy>;

/** Beyond login_email's limit, each failure adds `stepMs` to the next attempt's wait, up to `maxMs`. */
export const LOGIN_DELAY = { stepMs: 250, maxMs: 3000 } as const;

export interface AuthRouteLimits {
  /** Run before the body is read (per client address). */
  register?: RequestHandler[];
  login?: RequestHandler[];
  /** Run after the body is validated (per e-mail). */
  loginByEmail?: RequestHandler[];
}

const hashed = (text: string) => createHash("sha256").update(text).digest("base64url");

/** The e-mail a login names (a route that re-checks a signed-in caller's password sets res.locals). */
function loginEmail(res: Response): string {
  return (res.locals.rateLimitEmail as string | undefined) ?? (parsedBody(res) as { email: string }).email;
}

/** Counters are keyed by hashes: no e-mail or address is stored in Redis. */
const emailKey = (_req: Request, res: Response) => hashed(loginEmail(res));
const emailAddressKey = (req: Request, res: Response) =>
  hashed(`${loginEmail(res)}\n${ipKeyGenerator(req.ip ?? "unknown")}`);

/**
 * SPEC §1's limits on sign-up and sign-in. Sign-in counts failures only, so nobody can lock an
 * account out: the strict limit is keyed on (e-mail, address), and a success clears it; one e-mail
 * tried from many addresses is slowed down (LOGIN_DELAY), never refused. Built once: the account
 * routes that re-check a password share the per-e-mail counters with /login.
 */
export function createAuthLimits(limiter: LimiterFactory): Required<AuthRouteLimits> {
  const p = RATE_LIMIT_POLICIES;
  const failures = { failuresOnly: true, resetOnSuccess: true } as const;
  return {
    register: [limiter("register", p.register)],
    login: [limiter("login_address", p.login_address, { failuresOnly: true })],
    loginByEmail: [
      limiter("login_email_address", p.login_email_address, { ...failures, key: emailAddressKey }),
      limiter("login_email", p.login_email, { ...failures, key: emailKey, overLimit: { delay: LOGIN_DELAY } }),
    ],
  };
}

/**
 * What goes in front of every endpoint where a signed-in caller re-enters a password (SPEC §20:
 * change, e-mail change, deletion, TOTP on and off, adding a passkey): the sign-in limits of the
 * caller's own address, shared with /login. A wrong password counts as a failed login; over the
 * limit each of them answers 429, the right password included; a success clears the counter.
 * Placed after requireSession and the body's validation (a 422 counts nothing).
 */
export function passwordRecheckLimits(limits: Required<AuthRouteLimits>): RequestHandler[] {
  const callersEmail: RequestHandler = (_req, res, next) => {
    res.locals.rateLimitEmail = authOf(res).user.email;
    next();
  };
  return [callersEmail, ...limits.loginByEmail];
}
