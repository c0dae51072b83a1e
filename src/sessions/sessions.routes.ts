import { type RequestHandler, Router } from "express";
import { clientInfo } from "../http/client-info.js";
import { authOf } from "./require-session.js";
import type { SessionService } from "./sessions.service.js";

/**
 * SPEC §6: logout, the session list, revoking one and revoking the others. Every route sits
 * behind `requireSession`. They take no fields: a body, if any, is
 * never read, whatever its Content-Type (SPEC §13).
 */
export function createSessionsRouter(sessions: SessionService, requireSession: RequestHandler): Router {
  const router = Router();

  router.post("/logout", requireSession, async (req, res) => {
    const auth = authOf(res);
    await sessions.revokeSession(auth, auth.sessionId, "logout", clientInfo(req));
    res.status(204).end();
  });

  router.get("/sessions", requireSession, async (_req, res) => {
    res.json({ sessions: await sessions.listSessions(authOf(res)) });
  });

  router.delete("/sessions/:id", requireSession, async (req, res) => {
    const auth = authOf(res);
    const id = req.params.id as string;
    await sessions.revokeSession(auth, id, id === auth.sessionId ? "logout" : "revoked", clientInfo(req));
    res.status(204).end();
  });

  router.post("/sessions/revoke-others", requireSession, async (req, res) => {
    res.json({ revoked: await sessions.revokeOtherSessions(authOf(res), clientInfo(req)) });
  });

  return router;
}
