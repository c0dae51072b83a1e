import { expect } from "vitest";
import { uniqueEmail } from "../../helpers.js";
import { cookieHeader, postForm, type WebServer } from "../web-server.js";

/** The password of the users the web tests make, and the one they change it to. */
export const PASSWORD = "correct horse battery staple";
export const NEW_PASSWORD = "a brand new passphrase";
/** The session cookie's name (plain http: no `__Host-`), and its Set-Cookie when a page drops it. */
export const SESSION = "portico_session";
export const CLEARED = /^portico_session=deleted;.*Expires=Thu, 01 Jan 1970/;

/** A page as a browser asks for it: HTML, the redirect not followed, with this browser's cookie. */
function getPage(base: string, path: string, cookie?: string): Promise<Response> {
  return fetch(`${base}${path}`, { redirect: "manual", headers: { accept: "text/html", ...(cookie && { cookie }) } });
}

/**
 * One browser's requests to one web server, with its cookie or none, and its sign-up through the
 * form (addresses made with `prefix`): the address and the session cookie.
 */
export function pageClient(web: () => WebServer, prefix: string) {
  const get = (path: string, cookie?: string) => getPage(web().url, path, cookie);
  const post = (path: string, fields: Record<string, string>, cookie?: string) =>
    postForm(web().url, path, fields, cookie ? { cookie } : {});
  async function signUp() {
    const email = uniqueEmail(prefix);
    const res = await post("/register", { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    expect(res.status).toBe(303);
    return { email, cookie: cookieHeader(res) };
  }
  return { get, post, signUp };
}

/** The register form's fields for a new address, with `overrides`. */
export function registration(overrides: Record<string, string> = {}) {
  return { email: uniqueEmail("web"), firstName: "Ada", lastName: "Lovelace", password: PASSWORD, ...overrides };
}

/** POST /api/v1/auth/login straight to the API, with PASSWORD. */
export function apiLogin(base: string, email: string) {
  return fetch(`${base}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
}
