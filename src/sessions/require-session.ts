import type { RequestHandler, Response } from "express";
import { bearerToken } from "../http/bearer.js";
import type { Authenticated, SessionService } from "./sessions.service.js";

/**
 * Authentication for every Bearer endpoint: a good token whose session is live, or 401
 * UNAUTHORIZED (with WWW-Authenticate). The handler reads who it is with `authOf(res)`.
 */
export function requireSession(sessions: SessionService): RequestHandler {
  return async (req, res, next) => {
    res.locals.auth = await sessions.validateToken(bearerToken(req));
    next();
  };
}

/** The caller that `requireSession` let through. */
export function authOf(res: Response): Authenticated {
  const auth = res.locals.auth as Authenticated | undefined;
  if (!auth) throw new Error("authOf: the route has no requireSession in front of it");
  return auth;
}
