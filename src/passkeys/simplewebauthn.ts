/**
 * @simplewebauthn/server, loaded the first time a passkey is added or used: about 10 MB of
 * resident memory that a deployment whose users never touch passkeys does not pay for.
 */
type WebAuthn = typeof import("@simplewebauthn/server");

let loading: Promise<WebAuthn> | undefined;

export function webauthn(): Promise<WebAuthn> {
  loading ??= import("@simplewebauthn/server");
  return loading;
}
