/**
 * Pages whose URL holds a one-time token (a link from a mail: /verify-email, /reset-password,
 * /confirm-email). The token must not travel further than this page.
 */

/**
 * - `Referrer-Policy: no-referrer`: the page's own requests (stylesheet, script, icon, the form
 *   post) and any link followed from it carry no Referer, so the token never reaches another
 *   log, not even this site's or a proxy's. Browsers then send `Origin: null` on the form post;
 *   the middleware accepts that only with `Sec-Fetch-Site: same-origin`.
 * - `Cache-Control: no-store`: the page is never kept by the browser or a shared cache.
 */
export function keepTokenPrivate(headers: Headers): void {
  headers.set("referrer-policy", "no-referrer");
  headers.set("cache-control", "no-store");
}

/** Longer than any token the API makes (43 characters): a bigger value is no token of ours. */
const MAX_TOKEN_LENGTH = 512;

/** The token of a link (`?token=`) or of the posted hidden field; "" when absent or not a token. */
export function linkToken(value: string | null | undefined): string {
  const token = (value ?? "").trim();
  return token.length <= MAX_TOKEN_LENGTH ? token : "";
}
