import type { AstroCookies } from "astro";
import { apiClientFor } from "./api-client";
import type { ApiResult } from "./api-request";
import type { User } from "./api-types";
import { looksSignedIn, sessionToken } from "./session";

/**
 * The person a page request is signed in as: one `GET /me` per request at most, shared by the page
 * and the header (Layout.astro), so a page that shows the account asks no more than it did, and
 * every other page asks once, and only when there is a session cookie that has not expired.
 */
const lookups = new WeakMap<Request, Promise<ApiResult<User>>>();

interface PageContext {
  locals: App.Locals;
  request: Request;
  cookies: AstroCookies;
}

/** The API's answer for this request's session cookie (the API judges it); undefined without a cookie. */
export function currentUser({ locals, request, cookies }: PageContext): Promise<ApiResult<User>> | undefined {
  const token = sessionToken(cookies, locals.secureCookies);
  if (!token) return undefined;
  let lookup = lookups.get(request);
  if (!lookup) {
    lookup = apiClientFor(locals, request).getCurrentUser(token);
    lookups.set(request, lookup);
  }
  return lookup;
}

/**
 * What the header shows: the person (their address), "signed in but the API did not say who"
 * (busy or unreachable: still offer Log out), or nobody.
 */
export type Viewer = { state: "user"; user: User } | { state: "unknown" } | { state: "none" };

/** For the header: asks only when the cookie's token has not expired (an expired one is nobody's). */
export async function currentViewer(context: PageContext): Promise<Viewer> {
  const result = looksSignedIn(context.cookies) ? await currentUser(context) : undefined;
  if (!result) return { state: "none" };
  if (result.ok) return { state: "user", user: result.value };
  return result.error.code === "UNAUTHORIZED" ? { state: "none" } : { state: "unknown" };
}
