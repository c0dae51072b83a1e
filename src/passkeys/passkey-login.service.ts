import type { AuthenticationResponseJSON, PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { AppError } from "../errors.js";
import { pruneEvents, recordEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import { toUser, type User } from "../users/user.js";
import { createUserRepository, type UserRepository } from "../users/users.repository.js";
import { CHALLENGE_TTL_MS, type ChallengeRow, type PasskeyRow, userHandleText } from "./passkey.js";
import type { PasskeyDeps } from "./passkeys.deps.js";
import { createPasskeyRepository, type PasskeyRepository } from "./passkeys.repository.js";
import type { PasskeyLoginBody } from "./passkeys.schemas.js";
import { webauthn } from "./simplewebauthn.js";
import type { RelyingParty } from "./webauthn.js";

interface PasskeySignInOptions {
  /** Names the challenge kept server-side; POST /passkey/login sends it back. */
  challengeId: string;
  options: PublicKeyCredentialRequestOptionsJSON;
}

export interface PasskeyLoginService {
  /** Options for a usernameless sign-in: no allowCredentials, the authenticator offers its passkeys. */
  signInOptions(): Promise<PasskeySignInOptions>;
  /** A session (auth_method `passkey`) for the owner of the passkey; INVALID_PASSKEY otherwise. */
  signIn(body: PasskeyLoginBody, client: ClientInfo): Promise<{ token: string; user: User }>;
}

const refused = () => new AppError("INVALID_PASSKEY");

/** What the sign-in operations share: the deps, and the repositories and mode built from them once. */
interface PasskeyLoginContext {
  deps: PasskeyDeps;
  passkeys: PasskeyRepository;
  users: UserRepository;
  verificationRequired: boolean;
}

/** The authenticator's signature over the challenge, with UV and a counter that moved on. */
async function verify(
  rp: RelyingParty,
  challenge: ChallengeRow,
  passkey: PasskeyRow,
  response: AuthenticationResponseJSON,
) {
  // A discoverable credential says whose it is: that must be the passkey's owner.
  const handle = response.response?.userHandle;
  if (handle && handle !== userHandleText(passkey.user_id)) return undefined;
  try {
    const result = await (await webauthn()).verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge.challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credential_id,
        publicKey: new Uint8Array(Buffer.from(passkey.public_key, "base64url")),
        counter: Number(passkey.counter),
        transports: passkey.transports,
      },
      requireUserVerification: true,
    });
    return result.verified ? result.authenticationInfo : undefined;
  } catch {
    return undefined;
  }
}

async function signInOptions({ deps, passkeys }: PasskeyLoginContext): Promise<PasskeySignInOptions> {
  const options = await (await webauthn()).generateAuthenticationOptions({
    rpID: deps.relyingParty.id,
    userVerification: "required",
    timeout: CHALLENGE_TTL_MS,
  });
  await passkeys.pruneChallenges();
  const challengeId = await passkeys.createChallenge({
    userId: null,
    purpose: "login",
    challenge: options.challenge,
    ttlMs: CHALLENGE_TTL_MS,
  });
  return { challengeId, options };
}

async function signIn(
  { deps, passkeys, users, verificationRequired }: PasskeyLoginContext,
  body: PasskeyLoginBody,
  client: ClientInfo,
): Promise<{ token: string; user: User }> {
  const { db } = deps;
  const response = body.response as unknown as AuthenticationResponseJSON;
  // Used up first: whatever happens next, this challenge never signs anything again.
  const challenge = await passkeys.consumeChallenge({ purpose: "login", id: body.challengeId });
  if (!challenge) throw refused();
  const passkey = await passkeys.findByCredentialId(response.id);
  if (!passkey) throw refused();
  const info = await verify(deps.relyingParty, challenge, passkey, response);
  if (!info) {
    await recordEvent(db, passkey.user_id, "login.failed", client);
    throw refused();
  }
  await passkeys.markUsed(passkey.id, info.newCounter);
  const row = await users.findUserById(passkey.user_id);
  if (!row) throw refused();
  if (verificationRequired && row.email_verified_at === null) throw new AppError("EMAIL_NOT_VERIFIED");
  const user = toUser(row);
  const { token } = await deps.sessions.createSession(user, "passkey", client);
  await recordEvent(db, row.id, "login.succeeded", client);
  await pruneEvents(db, row.id);
  return { token, user };
}

/**
 * Sign-in with a passkey (SPEC §11). Every failure is the same 401 INVALID_PASSKEY: an unknown
 * credential, a bad signature, no user verification, a used or expired challenge. A passkey
 * with user verification is two factors in one (something held, and a PIN or biometric), so no
 * TOTP step follows it.
 */
export function createPasskeyLoginService(deps: PasskeyDeps): PasskeyLoginService {
  const ctx: PasskeyLoginContext = {
    deps,
    passkeys: createPasskeyRepository(deps.db),
    users: createUserRepository(deps.db),
    verificationRequired: deps.verification === "required",
  };
  return {
    signInOptions: () => signInOptions(ctx),
    signIn: (body, client) => signIn(ctx, body, client),
  };
}
