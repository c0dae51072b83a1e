import { Router } from "express";
import { clientInfo } from "../http/client-info.js";
import { withBody } from "../http/validate.js";
import { tokenBody } from "../recovery/recovery.schemas.js";
import type { FactorRevokeService } from "./factor-revoke.service.js";

/** SPEC §20: the "This wasn't me" link of a new factor's notice; its page's button posts here. */
export function createFactorsRouter(deps: { factors: FactorRevokeService }): Router {
  const router = Router();
  router.post(
    "/factors/revoke",
    ...withBody(tokenBody, async (req, res, { token }) => {
      res.json({ removed: await deps.factors.revoke(token, clientInfo(req)) });
    }),
  );
  return router;
}
