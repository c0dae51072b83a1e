/**
 * Where to go after logging in: the account page a signed-out visit asked for (issue 15, item 5).
 * It travels as `/login?next=<path>` and in a hidden `next` field of the login forms. Only a path
 * of this site is followed; anything else (another site, a scheme, a path the browser would read
 * as another host) falls back to the dashboard, so the parameter can never be an open redirect.
 */

const AFTER_LOGIN = "/dashboard";

/** Longer than any page address of ours: a bigger value is no path we sent. */
const MAX_LENGTH = 512;
/** Pages that make no sense after logging in (they would only send the person on again). */
const NOT_AFTER_LOGIN = new Set(["/login", "/register", "/logout"]);
const DUMMY_ORIGIN = "http://portico.invalid";

/**
 * `value` when it is a path of this site: starts with one "/" (not "//" or "/\", which browsers
 * read as another host), no scheme, no control characters or spaces; undefined otherwise.
 */
export function safeNextPath(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length > MAX_LENGTH) return undefined;
  // The same checks on the value as sent and percent-decoded: "/%2F%2Fevil" or "/%0d%0a…" are
  // no address a page of ours has, whatever a server or browser on the way makes of them.
  let decoded: string;
  try {
    decoded = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  if (!looksLikeOwnPath(value) || !looksLikeOwnPath(decoded)) return undefined;
  let url: URL;
  try {
    url = new URL(value, DUMMY_ORIGIN);
  } catch {
    return undefined;
  }
  // The resolved address must still be on this site (belt and braces over the checks above).
  if (url.origin !== DUMMY_ORIGIN) return undefined;
  if (NOT_AFTER_LOGIN.has(url.pathname)) return undefined;
  return `${url.pathname}${url.search}`;
}

function looksLikeOwnPath(value: string): boolean {
  if (!value.startsWith("/") || value[1] === "/" || value[1] === "\\") return false;
  // Control characters, spaces and backslashes (browsers drop tabs and newlines, so "/\t/evil"
  // would be "//evil", and read "\" as "/").
  // biome-ignore lint/suspicious/noControlCharactersInRegex: exactly what is refused
  return !/[\u0000-\u0020\u007f\\]/.test(value);
}

/** Where a successful log-in goes: the asked-for path, else the dashboard. */
export function afterLogin(next: unknown): string {
  return safeNextPath(next) ?? AFTER_LOGIN;
}

/** The login page for a signed-out visit to `url` (an account page): it comes back there afterwards. */
export function loginFor(url: URL): string {
  // Slashes may stay as they are in a query (RFC 3986 §3.4): "/login?next=/account" reads better.
  return `/login?${new URLSearchParams({ next: url.pathname }).toString().replaceAll("%2F", "/")}`;
}
