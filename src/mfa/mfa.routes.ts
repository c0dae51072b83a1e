import { type RequestHandler, Router } from "express";
import { RATE_LIMIT_POLICIES } from "../auth/auth.limits.js";
import { clientInfo } from "../http/client-info.js";
import type { LimiterFactory } from "../http/rate-limit.js";
import { withBody } from "../http/validate.js";
import { authOf } from "../sessions/require-session.js";
import { disableTotpBody, enableTotpBody, verifyMfaBody } from "./mfa.schemas.js";
import type { MfaLoginService } from "./mfa-login.service.js";
import type { TotpService } from "./totp.service.js";

/**
 * SPEC §11: TOTP set-up, enable, disable, its status, and the second step of sign-in. Enabling
 * and disabling re-enter the password, counted by `recheck` (src/auth/auth.limits.ts). Anyone may
 * call /mfa/verify: it counts against a per-address limit with /login's policy (failures only, 100
 * per address per 15 min, its own counter), on top of the per-ticket and per-account caps.
 */
export function createMfaRouter(deps: {
  totp: TotpService;
  login: MfaLoginService;
  requireSession: RequestHandler;
  recheck: RequestHandler[];
  limiter?: LimiterFactory | undefined;
}): Router {
  const { totp, login, requireSession, recheck } = deps;
  const router = Router();
  const verifyLimit = deps.limiter
    ? [deps.limiter("mfa_verify", RATE_LIMIT_POLICIES.login_address, { failuresOnly: true })]
    : [];

  router.get("/mfa", requireSession, async (_req, res) => {
    res.json(await totp.status(authOf(res)));
  });

  router.post("/mfa/totp/setup", requireSession, async (_req, res) => {
    res.json(await totp.setup(authOf(res)));
  });

  router.post(
    "/mfa/totp/enable",
    requireSession,
    ...withBody(enableTotpBody, recheck, async (req, res, { code, password }) => {
      const recoveryCodes = await totp.enable(authOf(res), { code, password }, clientInfo(req));
      res.json({ recoveryCodes });
    }),
  );

  router.post(
    "/mfa/totp/disable",
    requireSession,
    ...withBody(disableTotpBody, recheck, async (req, res, { password }) => {
      await totp.disable(authOf(res), password, clientInfo(req));
      res.status(204).end();
    }),
  );

  router.post(
    "/mfa/verify",
    ...verifyLimit,
    ...withBody(verifyMfaBody, async (req, res, { mfaToken, code }) => {
      res.json(await login.verify(mfaToken, code, clientInfo(req)));
    }),
  );

  return router;
}
