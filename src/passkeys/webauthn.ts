/** Who the passkeys are for (WebAuthn's relying party): from PUBLIC_ORIGIN, never from a request. */
export interface RelyingParty {
  /** The origin's hostname, e.g. `localhost` or `auth.example.com`. */
  id: string;
  name: string;
  /** The exact origin the browser's clientDataJSON must name. */
  origin: string;
}

/** The relying party of `linkOrigin` (PUBLIC_ORIGIN, in development `http://localhost:<PORT>`). */
export function relyingPartyOf(linkOrigin: string, name = "Portico"): RelyingParty {
  const url = new URL(linkOrigin);
  return { id: url.hostname, name, origin: url.origin };
}
