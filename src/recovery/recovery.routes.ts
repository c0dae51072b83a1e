import { type RequestHandler, Router } from "express";
import { clientInfo } from "../http/client-info.js";
import type { LimiterFactory } from "../http/rate-limit.js";
import { withBody } from "../http/validate.js";
import { authOf } from "../sessions/require-session.js";
import { forgotPasswordBody, resetPasswordBody, tokenBody } from "./recovery.schemas.js";
import type { ResetService } from "./reset.service.js";
import type { VerificationService } from "./verification.service.js";

const FORGOT_MESSAGE = "If an account exists for that address, we have sent a link to reset the password.";
const VERIFICATION_SENT_MESSAGE = "We have sent a new verification link to your email address.";
/** SPEC §8: forgot-password 10 per client address per 15 minutes. */
const FORGOT_LIMIT = { limit: 10, windowMs: 15 * 60_000 };

/** SPEC §7 and §8: verify an address, send a new link, forgot and reset the password. */
export function createRecoveryRouter(deps: {
  verification: VerificationService;
  reset: ResetService;
  requireSession: RequestHandler;
  limiter?: LimiterFactory | undefined;
}): Router {
  const { verification, reset } = deps;
  const router = Router();
  const forgotLimit = deps.limiter ? [deps.limiter("forgot_password", FORGOT_LIMIT)] : [];

  router.post(
    "/email/verify",
    ...withBody(tokenBody, async (req, res, { token }) => {
      const user = await verification.verifyEmail(token, clientInfo(req));
      res.json({ user });
    }),
  );

  router.post("/email/verification", deps.requireSession, async (_req, res) => {
    const result = await verification.resendVerification(authOf(res).user);
    if (result.sent) res.status(202).json({ message: VERIFICATION_SENT_MESSAGE });
    else res.json({ user: result.user });
  });

  router.post(
    "/password/forgot",
    ...forgotLimit,
    ...withBody(forgotPasswordBody, async (_req, res, { email }) => {
      await reset.forgotPassword(email);
      res.status(202).json({ message: FORGOT_MESSAGE });
    }),
  );

  router.post(
    "/password/reset",
    ...withBody(resetPasswordBody, async (req, res, { token, password }) => {
      await reset.resetPassword(token, password, clientInfo(req));
      res.status(204).end();
    }),
  );

  return router;
}
