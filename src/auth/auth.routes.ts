import { type RequestHandler, Router } from "express";
import { bearerToken } from "../http/bearer.js";
import { jsonBody } from "../http/json-body.js";
import { validateBody, validBody } from "../http/validate.js";
import { loginBody, registerBody } from "./auth.schemas.js";
import type { AuthService } from "./auth.service.js";

export interface AuthRouteLimits {
  /** Run before the body is read (per client address). */
  register?: RequestHandler[];
  login?: RequestHandler[];
  /** Run after the body is validated (per e-mail). */
  loginByEmail?: RequestHandler[];
}

/** POST /register, POST /login, GET /me: HTTP in and out, nothing else. */
export function createAuthRouter(auth: AuthService, limits: AuthRouteLimits = {}): Router {
  const router = Router();

  router.post("/register", ...(limits.register ?? []), ...jsonBody, validateBody(registerBody), async (_req, res) => {
    const { token, user } = await auth.registerUser(validBody(res, registerBody));
    res.status(201).location(`/api/v1/auth/me`).json({ token, user });
  });

  router.post(
    "/login",
    ...(limits.login ?? []),
    ...jsonBody,
    validateBody(loginBody),
    ...(limits.loginByEmail ?? []),
    async (_req, res) => {
      const { token, user } = await auth.loginUser(validBody(res, loginBody));
      res.json({ token, user });
    },
  );

  router.get("/me", async (req, res) => {
    const user = await auth.authenticateToken(bearerToken(req));
    res.json({ user });
  });

  return router;
}
