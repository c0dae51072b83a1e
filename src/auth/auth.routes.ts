import { type RequestHandler, Router } from "express";
import { clientInfo } from "../http/client-info.js";
import { withBody } from "../http/validate.js";
import { authOf } from "../sessions/require-session.js";
import type { AuthRouteLimits } from "./auth.limits.js";
import { loginBody, registerBody } from "./auth.schemas.js";
import type { AuthService } from "./auth.service.js";

/**
 * POST /register, POST /login, GET /me: HTTP in and out, nothing else. `requireSession` guards
 * the routes that need a signed-in caller.
 */
export function createAuthRouter(
  auth: AuthService,
  requireSession: RequestHandler,
  limits: AuthRouteLimits = {},
): Router {
  const router = Router();

  router.post(
    "/register",
    ...(limits.register ?? []),
    ...withBody(registerBody, async (req, res, body) => {
      const { token, user } = await auth.registerUser(body, clientInfo(req));
      res.status(201).location(`/api/v1/auth/me`).json({ token, user });
    }),
  );

  router.post(
    "/login",
    ...(limits.login ?? []),
    ...withBody(loginBody, limits.loginByEmail ?? [], async (req, res, body) => {
      // { token, user }, or { mfaRequired, mfaToken } when a second factor is next.
      res.json(await auth.loginUser(body, clientInfo(req)));
    }),
  );

  router.get("/me", requireSession, (_req, res) => {
    res.json({ user: authOf(res).user });
  });

  return router;
}
