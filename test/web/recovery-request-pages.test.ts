import { describe, expect, it } from "vitest";
import type { TestSmtpServer } from "../../src/mail/test-support.js";
import { uniqueEmail } from "../helpers.js";
import { linkIn, mailsTo, waitForMail } from "../support/mail.js";
import { PASSWORD, SESSION } from "./support/pages.js";
import { CONFIRMED, client, mailedLinks, registration } from "./support/recovery-http.js";
import { useSite } from "./support/sites.js";
import { cookieHeader, setCookies, type WebServer } from "./web-server.js";

const FORGOT_MESSAGE = "If an account exists for that address, we have sent a link to reset the password.";

describe("recovery pages over HTTP (SPEC §7, §8, §12, §13)", () => {
  let web: WebServer;
  let smtp: TestSmtpServer;
  useSite((site) => {
    ({ web, smtp } = site);
  });
  const { get, post } = client(() => web);
  const { signUp } = mailedLinks(post, () => smtp);

  it("forgot-password shows the same page for a known and an unknown address; only the known one gets a link", async () => {
    const { email } = await signUp();
    const unknown = uniqueEmail("nobody");
    const known = await post("/forgot-password", { email: email.toUpperCase() });
    const other = await post("/forgot-password", { email: unknown });
    expect(known.status).toBe(200);
    expect(other.status).toBe(200);
    const knownHtml = await known.text();
    expect(knownHtml).toContain("<h1>Check your email</h1>");
    expect(knownHtml).toContain(FORGOT_MESSAGE);
    expect(await other.text()).toBe(knownHtml);
    await waitForMail(smtp, email, /Reset your password/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mailsTo(smtp, unknown)).toEqual([]);
  });

  it("forgot-password shows the form again for a malformed address, with the value and the message", async () => {
    const page = await get("/forgot-password");
    const pageHtml = await page.text();
    expect(pageHtml).toMatch(/<input[^>]*name="email"[^>]*type="email"[^>]*autocomplete="email"/);
    expect(pageHtml).toContain('<form method="post" action="/forgot-password" novalidate>');
    for (const [email, message] of [
      ["not an address", "Please enter a valid email address."],
      ["", "Please fill in all required fields."],
    ] as const) {
      const res = await post("/forgot-password", { email });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain("<title>Error: Reset your password");
      expect(html).toContain(`href="#email">${message}</a>`);
      expect(html).toContain(email ? `value="${email}"` : 'name="email" type="email" value ');
      expect(html).not.toContain(FORGOT_MESSAGE);
    }
  });

  it("login has a link to /forgot-password", async () => {
    expect(await (await get("/login")).text()).toContain('<a href="/forgot-password">Forgot your password?</a>');
  });

  it("dashboard: shows the address is not confirmed, resends a link that works, then says it is confirmed", async () => {
    const { email, cookie, link } = await signUp();
    const before = await (await get("/dashboard", { cookie })).text();
    expect(before).toContain("Not confirmed");
    expect(before).toMatch(
      /<form method="post" action="\/dashboard">\s*<button[^>]*type="submit"[^>]*>Resend verification email<\/button>/,
    );

    const resent = await post("/dashboard", {}, { cookie });
    expect(resent.status).toBe(200);
    expect(await resent.text()).toContain(`We have sent a new link to ${email}.`);
    const second = linkIn(await waitForMail(smtp, email, /Confirm your email/, 2), "/verify-email");
    expect(second.token).not.toBe(link.token);
    expect((await post("/verify-email", { token: link.token })).status).toBe(400); // superseded
    expect((await post("/verify-email", { token: second.token })).status).toBe(200);

    const after = await (await get("/dashboard", { cookie })).text();
    expect(after).toContain(">Confirmed</span>");
    expect(after).not.toContain("Resend verification email");
    const already = await post("/dashboard", {}, { cookie });
    expect(await already.text()).toContain("Your email address is already confirmed.");
  });

  it("dashboard: a resend without a live session goes to /login", async () => {
    const res = await post("/dashboard", {}, { cookie: `${SESSION}=not-a-jwt` });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/login?next=/dashboard");
    expect((await post("/dashboard", {})).headers.get("location")).toBe("/login?next=/dashboard");
  });
});

describe("recovery pages with the limits on", () => {
  let web: WebServer;
  useSite(
    (site) => {
      ({ web } = site);
    },
    { RATE_LIMIT: "on" },
  );
  const { post } = client(() => web);

  it("dashboard: a resend within a minute of the last mail says to wait (429)", async () => {
    const res = await post("/register", registration());
    const cookie = cookieHeader(res);
    const wait = await post("/dashboard", {}, { cookie });
    expect(wait.status).toBe(429);
    const html = await wait.text();
    expect(html).toContain("<title>Error: Your account");
    expect(html).toContain("We sent you a link less than a minute ago. Please wait a minute, then try again.");
    expect(html).toContain("Not confirmed");
  });

  it("forgot-password: beyond 10 requests per client address, the form says to wait (429)", async () => {
    const headers = { "x-forwarded-for": "198.51.100.30" };
    for (let i = 0; i < 10; i++) {
      expect((await post("/forgot-password", { email: uniqueEmail("limit") }, { headers })).status).toBe(200);
    }
    const limited = await post("/forgot-password", { email: uniqueEmail("limit") }, { headers });
    expect(limited.status).toBe(429);
    const html = await limited.text();
    expect(html).toContain("Too many attempts. Please wait a few minutes and try again.");
    expect(html).toContain('name="email"');
  });
});

describe("sign-up with EMAIL_VERIFICATION=required", () => {
  let web: WebServer;
  let smtp: TestSmtpServer;
  useSite(
    (site) => {
      ({ web, smtp } = site);
    },
    { EMAIL_VERIFICATION: "required" },
  );
  const { post } = client(() => web);

  it("says to check the email instead of signing in; log-in waits for the confirmation", async () => {
    const fields = registration();
    const res = await post("/register", { ...fields, email: ` ${fields.email.toUpperCase()} ` });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]);
    const html = await res.text();
    expect(html).toContain("<h1>Check your email</h1>");
    expect(html).toContain(`We have sent a link to <strong>${fields.email}</strong>.`);

    const early = await post("/login", { email: fields.email, password: PASSWORD });
    expect(early.status).toBe(403);
    expect(early.headers.getSetCookie()).toEqual([]);
    const earlyHtml = await early.text();
    expect(earlyHtml).toContain(
      "Confirm your email address first: open the link we sent you when you created your account.",
    );
    expect(earlyHtml).toContain('href="/forgot-password"');

    const link = linkIn(await waitForMail(smtp, fields.email, /Confirm your email/), "/verify-email");
    const confirmed = await post("/verify-email", { token: link.token });
    expect(confirmed.headers.getSetCookie()).toEqual([]);
    expect(await confirmed.text()).toContain(CONFIRMED);
    const login = await post("/login", { email: fields.email, password: PASSWORD });
    expect(login.status).toBe(303);
    expect(setCookies(login).has(SESSION)).toBe(true);
  });
});
