import { type RequestHandler, Router } from "express";
import { RATE_LIMIT_POLICIES } from "../auth/auth.limits.js";
import { clientInfo } from "../http/client-info.js";
import type { LimiterFactory, RateLimitPolicy } from "../http/rate-limit.js";
import { withBody } from "../http/validate.js";
import { authOf } from "../sessions/require-session.js";
import type { PasskeyLoginService } from "./passkey-login.service.js";
import { addPasskeyBody, passkeyLoginBody, passkeyOptionsBody } from "./passkeys.schemas.js";
import type { PasskeyRegistrationService } from "./passkeys.service.js";

export interface PasskeyServices {
  registration: PasskeyRegistrationService;
  login: PasskeyLoginService;
}

/**
 * Registration options per user: each call stores a challenge, and a session alone must not fill
 * the table (issue 19, item 14). A person adding a passkey asks once or twice.
 */
export const PASSKEY_OPTIONS_LIMIT = { limit: 10, windowMs: 5 * 60_000 } as const;

/**
 * SPEC §11's passkeys: add, list and remove them (Bearer), and sign in with one (usernameless).
 * Adding one starts with the current password (SPEC §20), counted by `recheck` like every
 * re-entered password (src/auth/auth.limits.ts). The sign-in options take no fields: a body, if
 * any, is never read (SPEC §13). The sign-in pair counts against a per-address limit like /login's,
 * since anyone may call it.
 */
export function createPasskeysRouter(deps: {
  passkeys: PasskeyServices;
  requireSession: RequestHandler;
  recheck: RequestHandler[];
  limiter?: LimiterFactory | undefined;
}): Router {
  const { passkeys, requireSession, recheck } = deps;
  const router = Router();
  const perAddress = (name: string) => (deps.limiter ? [deps.limiter(name, RATE_LIMIT_POLICIES.login_address)] : []);
  const perUser = (name: string, policy: RateLimitPolicy) =>
    deps.limiter ? [deps.limiter(name, policy, { key: (_req, res) => authOf(res).user.id })] : [];

  router.post(
    "/passkeys/options",
    requireSession,
    ...perUser("passkeys_options", PASSKEY_OPTIONS_LIMIT),
    ...withBody(passkeyOptionsBody, recheck, async (req, res, proof) => {
      res.json({ options: await passkeys.registration.registrationOptions(authOf(res), proof, clientInfo(req)) });
    }),
  );

  router.post(
    "/passkeys",
    requireSession,
    ...withBody(addPasskeyBody, async (req, res, body) => {
      const passkey = await passkeys.registration.addPasskey(authOf(res), body, clientInfo(req));
      res.status(201).json({ passkey });
    }),
  );

  router.get("/passkeys", requireSession, async (_req, res) => {
    res.json({ passkeys: await passkeys.registration.listPasskeys(authOf(res)) });
  });

  router.delete("/passkeys/:id", requireSession, async (req, res) => {
    await passkeys.registration.removePasskey(authOf(res), req.params.id as string, clientInfo(req));
    res.status(204).end();
  });

  router.post("/passkey/options", ...perAddress("passkey_options"), async (_req, res) => {
    res.json(await passkeys.login.signInOptions());
  });

  router.post(
    "/passkey/login",
    ...perAddress("passkey_login"),
    ...withBody(passkeyLoginBody, async (req, res, body) => {
      const { token, user } = await passkeys.login.signIn(body, clientInfo(req));
      res.json({ token, user });
    }),
  );

  return router;
}
