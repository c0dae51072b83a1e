import type { Kysely } from "kysely";
import type { Schema } from "../db/schema.js";
import type { ClientInfo } from "../http/client-info.js";
import type { VerificationMode } from "../recovery/recovery.deps.js";
import type { Authenticated, SessionService } from "../sessions/sessions.service.js";
import type { PasswordHasher } from "../users/passwords.js";
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
  /** The re-entered password of a new passkey (src/sessions/reauthenticate.ts). */
  passwords: PasswordHasher;
  /** With TOTP on, adding a passkey needs a current code too (src/mfa/totp.service.ts). */
  secondFactor: {
    confirmCurrentCode(auth: Authenticated, code: string | undefined, client: ClientInfo): Promise<void>;
  };
  now?: () => Date;
}
