import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { isoCBOR } from "@simplewebauthn/server/helpers";

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");

/** A new ES256 public key in COSE form, as authenticator data carries it. */
function newCoseKey() {
  const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
  const coseKey = new Map<number, number | Uint8Array>([
    [1, 2], // kty: EC2
    [3, -7], // alg: ES256
    [-1, 1], // crv: P-256
    [-2, new Uint8Array(Buffer.from(jwk.x as string, "base64url"))],
    [-3, new Uint8Array(Buffer.from(jwk.y as string, "base64url"))],
  ]);
  return coseKey;
}

/**
 * A registration response as an authenticator with user verification would give it for
 * `challenge` (attestation "none", a new P-256 key): what the browser tests get from Chromium's
 * virtual authenticator, without a browser, so that an API test can add many at once.
 */
export function softwarePasskeyRegistration(options: { rpId: string; origin: string; challenge: string }) {
  const coseKey = newCoseKey();
  const credentialId = randomBytes(16);
  const idLength = Buffer.alloc(2);
  idLength.writeUInt16BE(credentialId.length);
  const authData = Buffer.concat([
    createHash("sha256").update(options.rpId).digest(),
    Buffer.from([0x45]), // user present, user verified, attested credential data
    Buffer.alloc(4), // sign count
    Buffer.alloc(16), // AAGUID
    idLength,
    credentialId,
    isoCBOR.encode(coseKey),
  ]);
  const attestationObject = isoCBOR.encode(
    new Map<string, string | Map<string, string> | Uint8Array>([
      ["fmt", "none"],
      ["attStmt", new Map<string, string>()],
      ["authData", new Uint8Array(authData)],
    ]),
  );
  const clientData = {
    type: "webauthn.create",
    challenge: options.challenge,
    origin: options.origin,
    crossOrigin: false,
  };
  const id = b64url(credentialId);
  return {
    id,
    rawId: id,
    type: "public-key",
    response: {
      clientDataJSON: b64url(Buffer.from(JSON.stringify(clientData))),
      attestationObject: b64url(attestationObject),
      transports: ["internal"],
    },
    clientExtensionResults: {},
  };
}
