import { createPasskeyLoginService } from "./passkey-login.service.js";
import type { PasskeyDeps } from "./passkeys.deps.js";
import type { PasskeyServices } from "./passkeys.routes.js";
import { createPasskeyRegistrationService } from "./passkeys.service.js";

export type { PasskeyDeps } from "./passkeys.deps.js";
export { createPasskeysRouter, type PasskeyServices } from "./passkeys.routes.js";
export { relyingPartyOf } from "./webauthn.js";

/** Both halves of the feature on the same dependencies: adding/removing, and signing in. */
export function createPasskeyServices(deps: PasskeyDeps): PasskeyServices {
  return { registration: createPasskeyRegistrationService(deps), login: createPasskeyLoginService(deps) };
}
