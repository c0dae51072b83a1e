import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

/**
 * A software passkey authenticator for HTTP tests: one P-256 key, attestation "none", user
 * present and verified. It answers the JSON options of POST /passkeys/options and
 * /passkey/options the way a browser's startRegistration / startAuthentication would, so the
 * server's real WebAuthn verification runs (the browser tests use Chromium's virtual one).
 */
export interface SoftAuthenticator {
  /** The credential's id (base64url), as the server stores it. */
  readonly credentialId: string;
  /** The answer to registration options: the body's `response` of POST /passkeys. */
  register(options: RegistrationOptions): Record<string, unknown>;
  /** The answer to sign-in options: the body's `response` of POST /passkey/login. */
  signIn(options: { challenge: string; rpId?: string }): Record<string, unknown>;
}

interface RegistrationOptions {
  challenge: string;
  rp: { id?: string };
  user: { id: string };
}

const FLAGS = { userPresent: 0x01, userVerified: 0x04, attestedData: 0x40 } as const;

const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest();

function uint32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}

/** The public key as a COSE_Key (EC2, P-256, ES256), CBOR-encoded. */
function coseKey(publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: "jwk" });
  const cose = new Map<number, number | Uint8Array>([
    [1, 2], // kty: EC2
    [3, -7], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, new Uint8Array(Buffer.from(jwk.x ?? "", "base64url"))],
    [-3, new Uint8Array(Buffer.from(jwk.y ?? "", "base64url"))],
  ]);
  return isoCBOR.encode(cose);
}

class SoftPasskey implements SoftAuthenticator {
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #id = randomBytes(16);
  readonly credentialId = this.#id.toString("base64url");
  #counter = 0;
  #userHandle = "";

  constructor(readonly origin: string) {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
  }

  #clientData(type: string, challenge: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false }));
  }

  /** rpIdHash, flags, the signature counter (moves on each use), then the attested credential. */
  #authData(rpId: string | undefined, flags: number, attested = Buffer.alloc(0)): Buffer {
    const id = rpId ?? new URL(this.origin).hostname;
    return Buffer.concat([sha256(id), Buffer.from([flags]), uint32(++this.#counter), attested]);
  }

  #credential(response: Record<string, unknown>) {
    return {
      id: this.credentialId,
      rawId: this.credentialId,
      type: "public-key",
      response,
      clientExtensionResults: {},
    };
  }

  register(options: RegistrationOptions) {
    this.#userHandle = options.user.id;
    const idLength = Buffer.from([this.#id.length >> 8, this.#id.length & 0xff]);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.#id, coseKey(this.#publicKey)]);
    const flags = FLAGS.userPresent | FLAGS.userVerified | FLAGS.attestedData;
    const authData = this.#authData(options.rp.id, flags, attested);
    const attestation = new Map<string, unknown>([
      ["fmt", "none"],
      ["attStmt", new Map()],
      ["authData", new Uint8Array(authData)],
    ]);
    return this.#credential({
      clientDataJSON: this.#clientData("webauthn.create", options.challenge).toString("base64url"),
      attestationObject: Buffer.from(isoCBOR.encode(attestation as never)).toString("base64url"),
      transports: ["internal"],
    });
  }

  signIn(options: { challenge: string; rpId?: string }) {
    const json = this.#clientData("webauthn.get", options.challenge);
    const authData = this.#authData(options.rpId, FLAGS.userPresent | FLAGS.userVerified);
    const signature = sign("sha256", Buffer.concat([authData, sha256(json)]), this.#privateKey);
    return this.#credential({
      clientDataJSON: json.toString("base64url"),
      authenticatorData: authData.toString("base64url"),
      signature: signature.toString("base64url"),
      userHandle: this.#userHandle,
    });
  }
}

/** A new authenticator holding one passkey, for the relying party at `origin` (PUBLIC_ORIGIN). */
export function softAuthenticator(origin: string): SoftAuthenticator {
  return new SoftPasskey(origin);
}
