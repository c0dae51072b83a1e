import { expect } from "vitest";
import type { TestSmtpServer } from "../../../src/mail/test-support.js";
import { uniqueEmail } from "../../helpers.js";
import { linkIn, waitForMail } from "../../support/mail.js";
import { cookieHeader, type PostInit, postForm, type WebServer } from "../web-server.js";
import { PASSWORD } from "./pages.js";

/** What /verify-email says once the button is pressed. */
export const CONFIRMED = "Your email address has been confirmed.";

/** The register form's fields for a new address. */
export function registration(email = uniqueEmail("recovery")) {
  return { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD };
}

/** Requests to one web server, as a browser makes them (HTML, no redirects followed). */
export function client(web: () => WebServer) {
  const get = (path: string, init: { cookie?: string; method?: "GET" | "HEAD" } = {}) =>
    fetch(`${web().url}${path}`, {
      method: init.method ?? "GET",
      redirect: "manual",
      headers: { accept: "text/html", ...(init.cookie && { cookie: init.cookie }) },
    });
  const post = (path: string, fields: Record<string, string>, init: PostInit = {}) =>
    postForm(web().url, path, fields, init);
  /** POST /api/v1/auth/login straight to the API. */
  const apiLogin = (email: string, password: string) =>
    fetch(`${web().url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    });
  /** GET /api/v1/auth/me with the token of a session cookie. */
  const me = (cookie: string) =>
    fetch(`${web().url}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${/portico_session=([^;]+)/.exec(cookie)?.[1]}` },
    });
  /** Whether the API says the cookie's user has a verified address. */
  const emailVerified = async (cookie: string) =>
    ((await (await me(cookie)).json()) as { user: { emailVerified: boolean } }).user.emailVerified;
  return { get, post, apiLogin, me, emailVerified };
}

type Post = ReturnType<typeof client>["post"];

/** The flows that end in a mailed link, through the forms: `smtp` is where the mail goes. */
export function mailedLinks(post: Post, smtp: () => TestSmtpServer) {
  /** Signs up through the form; the session cookie and the verification link. */
  async function signUp() {
    const fields = registration();
    const res = await post("/register", fields);
    expect(res.status).toBe(303);
    const link = linkIn(await waitForMail(smtp(), fields.email, /Confirm your email/), "/verify-email");
    return { email: fields.email, cookie: cookieHeader(res), link };
  }

  /** Asks for a reset link through the form; the link from the mail. */
  async function resetLink(email: string, n = 1) {
    expect((await post("/forgot-password", { email })).status).toBe(200);
    return linkIn(await waitForMail(smtp(), email, /Reset your password/, n), "/reset-password");
  }
  return { signUp, resetLink };
}
