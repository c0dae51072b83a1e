import { describe, expect, it } from "vitest";
import type { TestSmtpServer } from "../../src/mail/test-support.js";
import { uniqueEmail } from "../helpers.js";
import { linkIn, waitForMail } from "../support/mail.js";
import { accountClient } from "./support/account-http.js";
import { PASSWORD } from "./support/pages.js";
import { useSite } from "./support/sites.js";
import { cookieHeader, type WebServer } from "./web-server.js";

describe("/confirm-email (SPEC §9, §12, §13)", () => {
  let web: WebServer;
  let smtp: TestSmtpServer;
  useSite((site) => {
    ({ web, smtp } = site);
  });
  const { get, post, apiLogin } = accountClient(() => web);

  async function changeRequested() {
    const email = uniqueEmail("old");
    const newEmail = uniqueEmail("new");
    const reg = await post("/register", { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    const cookie = cookieHeader(reg);
    const res = await post("/account", { action: "change-email", newEmail, password: PASSWORD }, { cookie });
    expect(res.status).toBe(303);
    const link = linkIn(await waitForMail(smtp, newEmail, /email/i), "/confirm-email");
    const notice = await waitForMail(smtp, email, /change of your email/i);
    return { email, newEmail, cookie, link, cancelLink: () => linkIn(notice, "/cancel-email-change") };
  }

  it("GET and HEAD leave the token usable (no-referrer, no-store); the button's POST changes the address", async () => {
    const { email, newEmail, cookie, link } = await changeRequested();
    for (const method of ["GET", "HEAD"] as const) {
      const res = await fetch(`${web.url}${link.path}`, { method, headers: { accept: "text/html" } });
      expect(res.status, method).toBe(200);
      expect(res.headers.get("referrer-policy"), method).toBe("no-referrer");
      expect(res.headers.get("cache-control"), method).toBe("no-store");
      if (method === "GET") {
        const html = await res.text();
        expect(html).toContain('<form method="post" action="/confirm-email">');
        expect(html).toContain(`<input type="hidden" name="token" value="${link.token}">`);
        expect(html).toMatch(/<button[^>]*type="submit"[^>]*>Confirm email address<\/button>/);
      }
    }
    await apiLogin(email); // still the old address

    const done = await post("/confirm-email", { token: link.token }, { cookie });
    expect(done.status).toBe(200);
    expect(done.headers.get("referrer-policy")).toBe("no-referrer");
    expect(done.headers.getSetCookie()).toEqual([]);
    const html = await done.text();
    expect(html).toContain(`Your email address has been changed to ${newEmail}.`);
    expect(html).toContain('href="/account"');
    await apiLogin(newEmail);

    const again = await post("/confirm-email", { token: link.token });
    expect(again.status).toBe(400);
    const againHtml = await again.text();
    expect(againHtml).toContain("<h1>This link is invalid or has expired</h1>");
    expect(againHtml).toContain('href="/login"');
  });

  it("says the address is taken when another account took it meanwhile (409)", async () => {
    const { newEmail, link } = await changeRequested();
    expect(
      (await post("/register", { email: newEmail, firstName: "Bo", lastName: "Diddley", password: PASSWORD })).status,
    ).toBe(303);
    const res = await post("/confirm-email", { token: link.token });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("<h1>This email address is already in use</h1>");
  });

  it("says the link is invalid without a token or with a dead one, and refuses a foreign origin (403)", async () => {
    for (const res of [await get("/confirm-email"), await post("/confirm-email", { token: "A".repeat(43) })]) {
      expect(res.status).toBe(400);
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      expect(await res.text()).toContain("<h1>This link is invalid or has expired</h1>");
    }
    const { email, link } = await changeRequested();
    const evil = await post("/confirm-email", { token: link.token }, { origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    await apiLogin(email); // unchanged
    expect((await post("/confirm-email", { token: link.token })).status).toBe(200);
  });

  it("/cancel-email-change: GET shows a button and leaves the token usable; its POST stops the change", async () => {
    const { email, cookie, link, cancelLink } = await changeRequested();
    const cancel = cancelLink();
    const page = await fetch(`${web.url}${cancel.path}`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/cancel-email-change">');
    expect(html).toMatch(/<button[^>]*type="submit"[^>]*>Cancel this change<\/button>/);

    const done = await post("/cancel-email-change", { token: cancel.token }, { cookie });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain("The change has been cancelled.");
    const confirm = await post("/confirm-email", { token: link.token }, { cookie });
    expect(confirm.status).toBe(400);
    await apiLogin(email); // unchanged
    const unknown = await post("/cancel-email-change", { token: "A".repeat(43) });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("<h1>This link is invalid or has expired</h1>");
  });
});
