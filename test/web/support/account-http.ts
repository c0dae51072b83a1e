import { expect } from "vitest";
import { type PostInit, postForm, type WebServer } from "../web-server.js";
import { PASSWORD, pageClient } from "./pages.js";

/** The API's answer to a wrong current password, as the account forms show it. */
export const WRONG = "Current password is incorrect.";

/** The token in a session cookie. */
export const tokenOf = (cookie: string) => /portico_session=([^;]+)/.exec(cookie)?.[1] ?? "";

/**
 * Requests to one web server, as a browser makes them (HTML, no redirects followed), and to its
 * API (as Firefox on Linux); sign-ups through the form, and posts of /account's forms.
 */
export function accountClient(web: () => WebServer) {
  const { get, signUp } = pageClient(web, "account");
  const post = (path: string, fields: Record<string, string>, init: PostInit = {}) =>
    postForm(web().url, path, fields, init);
  const api = (path: string, init: { method?: string; token?: string; body?: object } = {}) =>
    fetch(`${web().url}/api/v1/auth/${path}`, {
      method: init.method ?? (init.body ? "POST" : "GET"),
      headers: {
        ...(init.body && { "content-type": "application/json" }),
        ...(init.token && { authorization: `Bearer ${init.token}` }),
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
      },
      ...(init.body && { body: JSON.stringify(init.body) }),
    });
  /** A second session of the user, straight from the API: its token. */
  const apiLogin = async (email: string, password = PASSWORD): Promise<string> => {
    const res = await api("login", { body: { email, password } });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  const meStatus = async (token: string) => (await api("me", { token })).status;
  /** Posts one of /account's forms with this browser's cookie. */
  const account = (cookie: string, fields: Record<string, string>, init: PostInit = {}) =>
    post("/account", fields, { cookie, ...init });
  return { get, post, api, apiLogin, meStatus, signUp, account };
}
