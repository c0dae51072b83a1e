import { createHmac } from "node:crypto";
import { toAppError } from "../http/error-handler.js";
import type { Logger } from "../ops/logger.js";
import type { AuthService } from "./auth.service.js";

/** The codes of a sign-in that was refused for what the caller sent (not a server fault). */
const FAILURES = new Set(["INVALID_CREDENTIALS", "EMAIL_NOT_VERIFIED"]);

/**
 * The same service, logging each refused sign-in as its own event, `auth.failed`: the e-mail only
 * as a keyed hash (HMAC-SHA-256 under a key derived from `secret`), so the log can tell that one
 * account is being tried again and again without holding anyone's address.
 */
export function logAuthFailures(auth: AuthService, logger: Logger, secret: string): AuthService {
  const key = createHmac("sha256", secret).update("portico auth-failure log").digest();
  const emailHash = (email: string) => createHmac("sha256", key).update(email).digest("base64url").slice(0, 22);
  return {
    ...auth,
    async loginUser(input, client) {
      try {
        return await auth.loginUser(input, client);
      } catch (error) {
        const { code } = toAppError(error);
        if (FAILURES.has(code)) {
          logger.warn(
            { event: "auth.failed", reason: code.toLowerCase(), emailHash: emailHash(input.email) },
            "authentication failed",
          );
        }
        throw error;
      }
    },
  };
}
