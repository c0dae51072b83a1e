import { type RequestHandler, Router } from "express";
import { clientInfo } from "../http/client-info.js";
import { withBody } from "../http/validate.js";
import { tokenBody } from "../recovery/recovery.schemas.js";
import { authOf } from "../sessions/require-session.js";
import { changeEmailBody, changePasswordBody, deleteAccountBody } from "./account.schemas.js";
import { type AccountService, EMAIL_CHANGE_MESSAGE } from "./account.service.js";

/**
 * The links of an e-mail change, used without a session (the link is the proof): the new
 * address's "Confirm", and the old address's "Cancel this change".
 */
function mountEmailLinks(router: Router, account: AccountService): void {
  router.post(
    "/email/confirm",
    ...withBody(tokenBody, async (req, res, { token }) => {
      const user = await account.confirmEmailChange(token, clientInfo(req));
      res.json({ user });
    }),
  );

  router.post(
    "/email/change/cancel",
    ...withBody(tokenBody, async (_req, res, { token }) => {
      await account.cancelEmailChange(token);
      res.status(204).end();
    }),
  );
}

/**
 * SPEC §9: change the password or the e-mail address, delete the account, the security log.
 * `recheck` counts each re-entered password against the sign-in limit of the caller's address
 * (src/auth/auth.limits.ts passwordRecheckLimits; empty with RATE_LIMIT=off).
 */
export function createAccountRouter(deps: {
  account: AccountService;
  requireSession: RequestHandler;
  recheck: RequestHandler[];
}): Router {
  const { account, requireSession, recheck } = deps;
  const router = Router();

  router.post(
    "/password/change",
    requireSession,
    ...withBody(changePasswordBody, recheck, async (req, res, { currentPassword, newPassword }) => {
      await account.changePassword(authOf(res), currentPassword, newPassword, clientInfo(req));
      res.status(204).end();
    }),
  );

  router.post(
    "/email/change",
    requireSession,
    ...withBody(changeEmailBody, recheck, async (_req, res, { newEmail, password }) => {
      await account.requestEmailChange(authOf(res), newEmail, password);
      res.status(202).json({ message: EMAIL_CHANGE_MESSAGE });
    }),
  );

  mountEmailLinks(router, account);

  router.delete(
    "/me",
    requireSession,
    ...withBody(deleteAccountBody, recheck, async (_req, res, { password }) => {
      await account.deleteAccount(authOf(res), password);
      res.status(204).end();
    }),
  );

  router.get("/events", requireSession, async (_req, res) => {
    res.json({ events: await account.listEvents(authOf(res)) });
  });

  return router;
}
