import { type RequestHandler, Router } from "express";
import { clientInfo } from "../http/client-info.js";
import { withBody } from "../http/validate.js";
import { authOf } from "../sessions/require-session.js";
import { disableTotpBody, enableTotpBody, verifyMfaBody } from "./mfa.schemas.js";
import type { MfaLoginService } from "./mfa-login.service.js";
import type { TotpService } from "./totp.service.js";

/**
 * SPEC §11: TOTP set-up, enable, disable, its status, and the second step of sign-in. Enabling
 * and disabling re-enter the password, counted by `recheck` (src/auth/auth.limits.ts).
 */
export function createMfaRouter(deps: {
  totp: TotpService;
  login: MfaLoginService;
  requireSession: RequestHandler;
  recheck: RequestHandler[];
}): Router {
  const { totp, login, requireSession, recheck } = deps;
  const router = Router();

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
    ...withBody(verifyMfaBody, async (req, res, { mfaToken, code }) => {
      res.json(await login.verify(mfaToken, code, clientInfo(req)));
    }),
  );

  return router;
}
