import { createServer, type RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import type { CDPSession, Page } from "playwright-core";
import { openPglite } from "../../../src/db/pglite.js";
import { createPortico, type Portico } from "../../../src/portico.js";
import { silentLogger, testConfig } from "../../helpers.js";

/**
 * What the passkey tests need beside Chromium: the service on localhost (WebAuthn's secure
 * context and RP id) and Chromium's virtual authenticator (CDP `WebAuthn.*`).
 */

interface PasskeyServer {
  /** http://localhost:<port>, the PUBLIC_ORIGIN it was configured with. */
  url: string;
  portico: Portico;
  close(): Promise<void>;
}

/** The whole service on 127.0.0.1, its port known before the config is built (PUBLIC_ORIGIN needs it). */
export async function startPasskeyServer(): Promise<PasskeyServer> {
  let app: RequestListener | undefined;
  const server = createServer((req, res) => app?.(req, res)).listen(0, "127.0.0.1");
  await new Promise<void>((resolve, reject) => server.once("listening", resolve).once("error", reject));
  const origin = `http://localhost:${(server.address() as AddressInfo).port}`;
  const portico = await createPortico(
    testConfig({ PUBLIC_ORIGIN: origin }),
    silentLogger(),
    await openPglite({ dataDir: undefined }),
  );
  app = portico.app;
  return {
    url: origin,
    portico,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await portico.close();
    },
  };
}

interface Authenticator {
  cdp: CDPSession;
  id: string;
}

/** A virtual platform authenticator: ctap2 over `internal`, resident keys, user verification. */
export async function addAuthenticator(page: Page, isUserVerified = true): Promise<Authenticator> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, id: authenticatorId };
}

export async function credentialsOn(authenticator: Authenticator) {
  const { credentials } = await authenticator.cdp.send("WebAuthn.getCredentials", {
    authenticatorId: authenticator.id,
  });
  return credentials;
}

/**
 * The attestation object with the authenticator data's UV flag (bit 2 of the flags byte, 32 bytes
 * in) cleared. With attestation "none" nothing signs the registration's authenticator data, so
 * only the relying party's own check can catch it.
 */
export function withoutUserVerified(attestationObject: string): string {
  const bytes = Buffer.from(attestationObject, "base64url");
  let at = bytes.indexOf(Buffer.from("authData")) + "authData".length;
  const head = bytes[at] ?? 0; // a CBOR byte string: 0x58 one length byte, 0x59 two
  at += head === 0x58 ? 2 : head === 0x59 ? 3 : 1;
  bytes[at + 32] = (bytes[at + 32] ?? 0) & ~0x04;
  return bytes.toString("base64url");
}
