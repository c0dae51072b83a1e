import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAIL_KINDS } from "../../src/mail/outbox.js";
import { MAIL_TEMPLATES } from "../../src/mail/templates.js";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { uniqueEmail } from "../helpers.js";
import { cookieHeader, postForm, startWebServer, type WebServer } from "./web-server.js";

const PASSWORD = "correct horse battery staple";

/**
 * One vocabulary (issue 15, item 4): "Sign up", "Log in", "Log out", "email" (SPEC §2's words for the
 * home page's links: "Sign up and Log in", "a Log out button"). What a
 * person reads must never say the other words; addresses (/register, /login) are not words.
 */
const BANNED: [RegExp, string][] = [
  [/\bsign(?:s|ed|ing)?[ -]?(?:in|out)\b/i, "sign in / sign out (say Log in, Log out)"],
  [/\bcreate (?:an|your|a new) account\b/i, "Create an account (say Sign up)"],
  [/\bregister\b/i, "Register (say Sign up)"],
  [/\be-mails?\b/i, "e-mail (say email)"],
  [/\blog(?:in|out)\b/i, "login / logout as words (say Log in, Log out)"],
];

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

/**
 * The words of a page: its text, its title, and the attributes people hear or read (meta
 * description, aria-label, alt, title, placeholder). No scripts, styles, or addresses.
 */
function wordsOf(html: string): string {
  const body = html.replace(/<script[\s\S]*?<\/script>/gi, " ").replace(/<style[\s\S]*?<\/style>/gi, " ");
  const attributes = [...body.matchAll(/\s(?:content|aria-label|alt|title|placeholder)="([^"]*)"/g)].map((m) => m[1]);
  const text = body.replace(/<[^>]*>/g, " ");
  return [text, ...attributes]
    .join(" ")
    .replace(/&(?:amp|lt|gt|quot|#39);/g, (entity) => ENTITIES[entity] ?? entity)
    .replace(/\s+/g, " ");
}

/** The banned words in a text, each with a little of what is around it. */
function bannedIn(text: string): string[] {
  return BANNED.flatMap(([pattern, what]) => {
    const found = new RegExp(pattern.source, "gi").exec(text);
    return found ? [`${what}: "…${text.slice(Math.max(0, found.index - 40), found.index + 40)}…"`] : [];
  });
}

describe("one vocabulary (issue 15, item 4)", () => {
  let web: WebServer;
  let required: WebServer;

  beforeAll(async () => {
    [web, required] = await Promise.all([startWebServer(), startWebServer({ EMAIL_VERIFICATION: "required" })]);
  });
  afterAll(async () => {
    await Promise.all([web?.close(), required?.close()]);
  });

  const get = (base: string, path: string, cookie?: string) =>
    fetch(`${base}${path}`, { redirect: "manual", headers: { accept: "text/html", ...(cookie && { cookie }) } });

  it("has a scan that can fail", () => {
    expect(bannedIn(wordsOf("<h1>Sign in</h1>"))).toHaveLength(1);
    expect(bannedIn(wordsOf('<meta name="description" content="Create an account today">'))).toHaveLength(1);
    expect(bannedIn(wordsOf("<button>Register</button>"))).toHaveLength(1);
    expect(bannedIn(wordsOf("<p>Your e-mail address</p>"))).toHaveLength(1);
    expect(bannedIn(wordsOf('<button aria-label="Sign out">x</button>'))).toHaveLength(1);
    expect(bannedIn(wordsOf("<p>signed in as ada</p>"))).toHaveLength(1);
    // Addresses and seed 001's messages are not the words people read as the vocabulary.
    expect(bannedIn(wordsOf('<a href="/register">Sign up</a> <a href="/login">Log in</a>'))).toEqual([]);
    expect(
      bannedIn(wordsOf("<p>Registration successful! Welcome, Ada. This email is already registered.</p>")),
    ).toEqual([]);
  });

  it("every page, in each of its states, says Sign up, Log in, Log out and email only", async () => {
    const pages = new Map<string, string>();
    const visit = async (name: string, response: Promise<Response>) => pages.set(name, await (await response).text());
    const base = web.url;

    // Signed out.
    for (const path of [
      "/",
      "/register",
      "/login",
      "/login?next=/dashboard",
      "/login?reset=1",
      "/forgot-password",
      "/reset-password?token=abc",
      "/reset-password",
      "/verify-email?token=abc",
      "/verify-email",
      "/confirm-email?token=abc",
      "/confirm-email",
      "/logout",
      "/no-such-page",
      "/403",
    ]) {
      await visit(path, get(base, path));
    }
    await visit(
      "register errors",
      postForm(base, "/register", { email: "", firstName: "", lastName: "", password: "" }),
    );
    await visit(
      "register bad",
      postForm(base, "/register", { email: "x@", firstName: "R2", lastName: "", password: "a" }),
    );
    await visit("login errors", postForm(base, "/login", { email: "nobody@example.com", password: "wrong password" }));
    await visit("forgot sent", postForm(base, "/forgot-password", { email: "nobody@example.com" }));
    await visit("verify invalid", postForm(base, "/verify-email", { token: "a".repeat(43) }));
    await visit("confirm invalid", postForm(base, "/confirm-email", { token: "a".repeat(43) }));

    // Signed in.
    const email = uniqueEmail("words");
    const registered = await postForm(base, "/register", {
      email,
      firstName: "Ada",
      lastName: "Lovelace",
      password: PASSWORD,
    });
    const cookie = cookieHeader(registered);
    for (const path of [
      "/",
      "/dashboard",
      "/account",
      "/account?done=password",
      "/account?done=session",
      "/account?done=others",
      "/account?done=totp-on",
      "/account?done=totp-off",
      "/account?done=email",
      "/account/two-factor",
      "/logout",
      "/verify-email",
      "/confirm-email",
      "/no-such-page",
    ]) {
      await visit(`${path} (logged in)`, get(base, path, cookie));
    }
    await visit("dashboard resend", postForm(base, "/dashboard", {}, { cookie }));
    await visit(
      "two-factor wrong",
      postForm(base, "/account/two-factor", { code: "000000", password: PASSWORD }, { cookie }),
    );
    await visit("account errors", postForm(base, "/account", { action: "change-password" }, { cookie }));

    // The login's code step, and TOTP on in /account.
    const totpEmail = uniqueEmail("words");
    const reg = await fetch(`${base}/api/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: totpEmail, password: PASSWORD, firstName: "Ada", lastName: "Lovelace" }),
    });
    const { token } = (await reg.json()) as { token: string };
    const call = (path: string, body: object) =>
      fetch(`${base}/api/v1/auth/${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
    const { secret } = (await (await call("mfa/totp/setup", {})).json()) as { secret: string };
    expect((await call("mfa/totp/enable", { code: totpCodeAt(secret, Date.now()), password: PASSWORD })).status).toBe(
      200,
    );
    await visit("login code step", postForm(base, "/login", { email: totpEmail, password: PASSWORD }));
    await visit("account with TOTP", get(base, "/account", `portico_session=${token}`));

    // EMAIL_VERIFICATION=required: "Check your email", and a log-in before confirming.
    const waiting = uniqueEmail("words");
    await visit(
      "register check email",
      postForm(required.url, "/register", {
        email: waiting,
        firstName: "Ada",
        lastName: "Lovelace",
        password: PASSWORD,
      }),
    );
    await visit("login not verified", postForm(required.url, "/login", { email: waiting, password: PASSWORD }));

    const problems = [...pages].flatMap(([name, html]) => bannedIn(wordsOf(html)).map((found) => `${name}: ${found}`));
    expect(problems).toEqual([]);
    // The scan read real pages: the words chosen are there.
    const all = [...pages.values()].map(wordsOf).join(" ");
    for (const word of ["Sign up", "Log in", "Log out", "Email address", "Log in with a passkey"]) {
      expect(all).toContain(word);
    }
    expect(wordsOf(pages.get("/") ?? "")).toMatch(/Portico: sign up and log in/);
  });

  it("every mail says the same words", () => {
    const input = {
      name: "Ada",
      link: "https://auth.example.com/verify-email?token=abc",
      expiresInMinutes: 30,
      newEmail: "new@example.com",
      passkeyName: "Work laptop",
    };
    const problems = MAIL_KINDS.flatMap((kind) => {
      const mail = (MAIL_TEMPLATES[kind] as (i: typeof input) => { subject: string; text: string; html: string })(
        input,
      );
      return [mail.subject, mail.text, wordsOf(mail.html)].flatMap((part) =>
        bannedIn(part).map((found) => `${kind}: ${found}`),
      );
    });
    expect(problems).toEqual([]);
  });
});
