import type { Kysely } from "kysely";
import type { Schema } from "../db/schema.js";
import type { VerificationMode } from "../recovery/recovery.deps.js";
import type { SessionService } from "../sessions/sessions.service.js";
import type { RelyingParty } from "./webauthn.js";

/** What the passkey services need; built by the composition root (src/portico.ts). */
export interface PasskeyDeps {
  db: Kysely<Schema>;
  sessions: SessionService;
  relyingParty: RelyingParty;
  /** PUBLIC_ORIGIN: the notices' "wasn't you?" link. */
  linkOrigin: string;
  verification: VerificationMode;
  /** Called after a transaction that queued mail committed: the worker sends at once. */
  mailQueued: () => void;
}
