import type { Kysely, Transaction } from "kysely";
import type { Schema } from "../db/schema.js";
import { AppError } from "../errors.js";
import { recordEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import { deleteTotp } from "../mfa/mfa.repository.js";
import { createPasskeyRepository } from "../passkeys/passkeys.repository.js";
import { consumeToken } from "../recovery/one-time-tokens.js";
import { createSessionRepository } from "../sessions/sessions.repository.js";
import type { SessionEvents } from "../sessions/sessions.service.js";

/** What a "This wasn't me" link removed. */
type RemovedFactor = "totp" | "passkey";

export interface FactorRevokeService {
  /**
   * Uses a "This wasn't me" link (SPEC §20): removes the factor it names (TOTP and its recovery
   * codes, or that passkey) and ends every session of the user. INVALID_TOKEN for a link that is
   * not live; a factor already gone still ends the sessions.
   */
  revoke(token: string, client: ClientInfo): Promise<RemovedFactor>;
}

export interface FactorRevokeDeps {
  db: Kysely<Schema>;
  sessionEvents?: SessionEvents;
  now?: () => Date;
}

/** Removes the factor a link names; records what went. */
async function removeFactor(trx: Transaction<Schema>, userId: string, subject: string, client: ClientInfo) {
  if (subject === "totp") {
    if (await deleteTotp(trx, userId)) await recordEvent(trx, userId, "mfa.disabled", client);
    return "totp" as const;
  }
  if (await createPasskeyRepository(trx).deletePasskey(userId, subject)) {
    await recordEvent(trx, userId, "passkey.removed", client);
  }
  return "passkey" as const;
}

export function createFactorRevokeService(deps: FactorRevokeDeps): FactorRevokeService {
  const now = deps.now ?? (() => new Date());
  return {
    async revoke(token, client) {
      const done = await deps.db.transaction().execute(async (trx) => {
        const row = await consumeToken(trx, "factor_revoke", token, now());
        if (!row?.subject) return undefined;
        const removed = await removeFactor(trx, row.user_id, row.subject, client);
        const ended = await createSessionRepository(trx).revokeUserSessions(row.user_id, "factor_revoked");
        await recordEvent(trx, row.user_id, "session.revoked", client);
        return { removed, ended };
      });
      if (!done) throw new AppError("INVALID_TOKEN");
      deps.sessionEvents?.revoked?.("factor_revoked", done.ended);
      return done.removed;
    },
  };
}
