import type { ApiResult } from "./api-request";
import { displayMessage, readForm, type SummaryItem, textField } from "./form-errors";

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

/**
 * What a page whose link's button confirms something shows (/verify-email, /confirm-email):
 * the button (again, with the problem, when the API was busy), the API's answer, that the link
 * is no good, or (only for a page that names some) a refusal the page has words for.
 */
export type LinkPress<T, Refusal extends string = never> =
  | { state: "confirm"; token: string; problems: SummaryItem[] }
  | { state: "done"; value: T }
  | { state: "invalid" }
  | ([Refusal] extends [never] ? never : { state: "refused"; code: Refusal });

/** The page's request and response, as Astro hands them to the page. */
interface LinkPage {
  url: URL;
  request: Request;
  response: { status?: number | undefined; readonly headers: Headers };
}

function invalid(page: LinkPage): { state: "invalid" } {
  page.response.status = 400;
  return { state: "invalid" };
}

/**
 * Opening the link (GET, HEAD) never uses the token — mail scanners open links, they do not
 * press buttons. Only the button's POST hands it to `press` (the API call), which signs nobody
 * in. Keeps the token private, and sets the status: 400 for a link that is no good, the API's
 * for a busy API or a refusal among `refusals` (error codes the page has words for).
 */
export async function pressLinkButton<T, Refusal extends string = never>(
  page: LinkPage,
  press: (token: string) => Promise<ApiResult<T>>,
  refusals: readonly Refusal[] = [],
): Promise<LinkPress<T, Refusal>> {
  const isRefusal = (code: string): code is Refusal => (refusals as readonly string[]).includes(code);
  keepTokenPrivate(page.response.headers);
  if (page.request.method !== "POST") {
    const token = linkToken(page.url.searchParams.get("token"));
    return token ? { state: "confirm", token, problems: [] } : invalid(page);
  }
  const token = linkToken(textField(await readForm(page.request), "token"));
  const result = token ? await press(token) : undefined;
  if (result?.ok) return { state: "done", value: result.value };
  if (!result || result.error.code === "INVALID_TOKEN" || result.error.statusCode === 422) return invalid(page);
  page.response.status = result.error.statusCode;
  if (isRefusal(result.error.code)) return { state: "refused", code: result.error.code } as LinkPress<T, Refusal>;
  // Busy or unavailable: the token is still good, so the button stays for another try.
  return { state: "confirm", token, problems: [{ text: displayMessage(result.error.code) }] };
}
