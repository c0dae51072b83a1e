import type { PublicKeyCredentialCreationOptionsJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import type { Transaction } from "kysely";
import { lockKey } from "../db/locks.js";
import type { Schema } from "../db/schema.js";
import { AppError } from "../errors.js";
import { recordEvent } from "../events/events.js";
import type { ClientInfo } from "../http/client-info.js";
import { enqueueMail, passkeyAddedMail, passkeyRemovedMail } from "../mail/index.js";
import { issueFactorRevokeLink } from "../recovery/factor-links.js";
import { reauthenticate } from "../sessions/reauthenticate.js";
import type { Authenticated } from "../sessions/sessions.service.js";
import {
  CHALLENGE_TTL_MS,
  DEFAULT_PASSKEY_NAME,
  MAX_PASSKEYS,
  type Passkey,
  type PasskeyRow,
  toPasskey,
  userHandleOf,
} from "./passkey.js";
import type { PasskeyDeps } from "./passkeys.deps.js";
import { createPasskeyRepository, type PasskeyRepository } from "./passkeys.repository.js";
import type { AddPasskeyBody, PasskeyOptionsBody } from "./passkeys.schemas.js";
import { webauthn } from "./simplewebauthn.js";

export interface PasskeyRegistrationService {
  /**
   * WebAuthn creation options for the caller, once they re-entered the password (and, with TOTP
   * on, a current code); the challenge is kept (5 minutes, single use).
   */
  registrationOptions(
    auth: Authenticated,
    proof: PasskeyOptionsBody,
    client: ClientInfo,
  ): Promise<PublicKeyCredentialCreationOptionsJSON>;
  /** Verifies the browser's answer to one of the caller's challenges and stores the passkey. */
  addPasskey(auth: Authenticated, body: AddPasskeyBody, client: ClientInfo): Promise<Passkey>;
  listPasskeys(auth: Authenticated): Promise<Passkey[]>;
  /** NOT_FOUND unless `id` is one of the caller's passkeys. */
  removePasskey(auth: Authenticated, id: string, client: ClientInfo): Promise<void>;
}

const TOO_MANY = `An account can have at most ${MAX_PASSKEYS} passkeys. Remove one first.`;

/** What the registration operations share: the deps, and the repository built from them once. */
interface PasskeyRegistrationContext {
  deps: PasskeyDeps;
  passkeys: PasskeyRepository;
}

const forgotLink = (origin: string) => new URL("/forgot-password", origin).toString();

/** The browser's answer, checked against a live challenge of this user (used up on the way). */
async function verify(
  { deps, passkeys }: PasskeyRegistrationContext,
  userId: string,
  response: RegistrationResponseJSON,
) {
  const { relyingParty: rp } = deps;
  try {
    const result = await (await webauthn()).verifyRegistrationResponse({
      response,
      expectedChallenge: async (challenge) =>
        (await passkeys.consumeChallenge({ purpose: "register", userId, challenge })) !== undefined,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
    if (result.verified) return result.registrationInfo;
  } catch (error) {
    throw new AppError("PASSKEY_REJECTED", { cause: error });
  }
  throw new AppError("PASSKEY_REJECTED");
}

/**
 * The row, its event and its notice commit together. The count is read under the user's passkey
 * lock: concurrent additions take turns, so the cap of 20 holds under a burst (SPEC §20).
 */
async function store(
  { deps }: PasskeyRegistrationContext,
  auth: Authenticated,
  row: Omit<Parameters<PasskeyRepository["insertPasskey"]>[0], "userId">,
  client: ClientInfo,
) {
  const stored = await deps.db.transaction().execute(async (trx) => {
    await lockKey(trx, `passkeys:${auth.user.id}`);
    const repository = createPasskeyRepository(trx);
    if ((await repository.countPasskeys(auth.user.id)) >= MAX_PASSKEYS) {
      throw new AppError("PASSKEY_REJECTED", { message: TOO_MANY });
    }
    const inserted = await repository.insertPasskey({ ...row, userId: auth.user.id });
    const revoke = await issueFactorRevokeLink(trx, {
      userId: auth.user.id,
      email: auth.user.email,
      factor: { passkeyId: inserted.id },
      linkOrigin: deps.linkOrigin,
      now: deps.now?.() ?? new Date(),
    });
    await recordPasskeyChange(trx, deps, auth, { change: "added", passkeyName: inserted.name, revoke }, client);
    return inserted;
  });
  deps.mailQueued();
  return stored;
}

async function registrationOptions(
  { deps, passkeys }: PasskeyRegistrationContext,
  auth: Authenticated,
  proof: PasskeyOptionsBody,
  client: ClientInfo,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { relyingParty: rp } = deps;
  await reauthenticate(deps, auth, proof.password);
  await deps.secondFactor.confirmCurrentCode(auth, proof.code, client);
  const existing = await passkeys.listPasskeys(auth.user.id);
  if (existing.length >= MAX_PASSKEYS) throw new AppError("PASSKEY_REJECTED", { message: TOO_MANY });
  const options = await (await webauthn()).generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: auth.user.email,
    userDisplayName: auth.user.name,
    userID: userHandleOf(auth.user.id),
    attestationType: "none",
    // The browser refuses an authenticator that already holds one of these (no duplicates).
    excludeCredentials: existing.map((p) => ({ id: p.credential_id, transports: p.transports })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
    timeout: CHALLENGE_TTL_MS,
  });
  await passkeys.pruneChallenges();
  await passkeys.createChallenge({
    userId: auth.user.id,
    purpose: "register",
    challenge: options.challenge,
    ttlMs: CHALLENGE_TTL_MS,
  });
  return options;
}

async function addPasskey(
  ctx: PasskeyRegistrationContext,
  auth: Authenticated,
  body: AddPasskeyBody,
  client: ClientInfo,
): Promise<Passkey> {
  const info = await verify(ctx, auth.user.id, body.response as unknown as RegistrationResponseJSON);
  const count = await ctx.passkeys.countPasskeys(auth.user.id);
  const row: PasskeyRow = await store(
    ctx,
    auth,
    {
      credentialId: info.credential.id,
      publicKey: Buffer.from(info.credential.publicKey).toString("base64url"),
      counter: info.credential.counter,
      transports: info.credential.transports ?? [],
      name: body.name || (count === 0 ? DEFAULT_PASSKEY_NAME : `${DEFAULT_PASSKEY_NAME} ${count + 1}`),
    },
    client,
  );
  return toPasskey(row);
}

async function removePasskey(
  { deps }: PasskeyRegistrationContext,
  auth: Authenticated,
  id: string,
  client: ClientInfo,
) {
  await deps.db.transaction().execute(async (trx) => {
    const removed = await createPasskeyRepository(trx).deletePasskey(auth.user.id, id);
    if (!removed) throw new AppError("NOT_FOUND");
    await recordPasskeyChange(trx, deps, auth, { change: "removed", passkeyName: removed.name }, client);
  });
  deps.mailQueued();
}

/** Adding, listing and removing passkeys (SPEC §11): discoverable, user verification required. */
export function createPasskeyRegistrationService(deps: PasskeyDeps): PasskeyRegistrationService {
  const ctx: PasskeyRegistrationContext = { deps, passkeys: createPasskeyRepository(deps.db) };
  return {
    registrationOptions: (auth, proof, client) => registrationOptions(ctx, auth, proof, client),
    addPasskey: (auth, body, client) => addPasskey(ctx, auth, body, client),
    listPasskeys: async (auth) => (await ctx.passkeys.listPasskeys(auth.user.id)).map(toPasskey),
    removePasskey: (auth, id, client) => removePasskey(ctx, auth, id, client),
  };
}

const PASSKEY_CHANGES = {
  added: { event: "passkey.added", kind: "passkey_added", mail: passkeyAddedMail },
  removed: { event: "passkey.removed", kind: "passkey_removed", mail: passkeyRemovedMail },
} as const;

/** The security event and the notice mail of a passkey added or removed, in the change's transaction. */
async function recordPasskeyChange(
  trx: Transaction<Schema>,
  deps: PasskeyDeps,
  auth: Authenticated,
  what: {
    change: keyof typeof PASSKEY_CHANGES;
    passkeyName: string;
    /** The added passkey's "This wasn't me" link. */
    revoke?: { url: string; expiresInMinutes: number };
  },
  client: ClientInfo,
) {
  const { event, kind, mail } = PASSKEY_CHANGES[what.change];
  await recordEvent(trx, auth.user.id, event, client);
  const { passkeyName, revoke } = what;
  const notice = mail({
    name: auth.user.name,
    link: forgotLink(deps.linkOrigin),
    passkeyName,
    ...(revoke && { revoke }),
  });
  await enqueueMail(trx, { kind, to: auth.user.email, userId: auth.user.id, ...notice });
}
