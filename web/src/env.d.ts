/// <reference types="astro/client" />

declare namespace App {
  /**
   * What the Express mount (src/web/mount.ts, `WebLocals`) hands every request. Keep the two in step.
   */
  interface Locals {
    /** The site's own origin (PUBLIC_ORIGIN, or the request's): form posts must come from it. */
    siteOrigin: string;
    /** Where the API answers (API_BASE_URL, or this same process). */
    apiBaseUrl: string;
    /** Secure cookies (production). */
    secureCookies: boolean;
    /** The browser's address as Express sees it (TRUST_PROXY), forwarded to the API. */
    clientAddress: string | undefined;
    /** Sent as X-Portico-Client: the browser's address, signed with this process's key. */
    clientProof: string | undefined;
    /** The request id of this page request, forwarded to the API so the logs line up. */
    requestId: string | undefined;
    /** The request's logger. */
    log: { warn(details: object, message: string): void } | undefined;
  }
}
