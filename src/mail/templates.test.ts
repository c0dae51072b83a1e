import { describe, expect, it } from "vitest";
import { formatLifetime } from "./layout.js";
import { MAIL_KINDS } from "./outbox.js";
import {
  accountDeletedMail,
  emailChangedNoticeMail,
  emailChangeMail,
  MAIL_TEMPLATES,
  passwordChangedMail,
  passwordResetMail,
  verifyEmailMail,
} from "./templates.js";

const LINK = "https://auth.example.com/verify-email?token=abc_DEF-123";
const INPUT = { name: "Ada", link: LINK, expiresInMinutes: 1440, newEmail: "new@example.com" };

describe("mail templates", () => {
  it.each(MAIL_KINDS)("%s has a subject, a text part and an HTML part naming Portico and advising", (kind) => {
    const mail = (MAIL_TEMPLATES[kind] as (input: typeof INPUT) => { subject: string; text: string; html: string })(
      INPUT,
    );
    expect(mail.subject).toMatch(/Portico$/);
    // A mail to an address nobody has proven greets no one by name (anyone may have typed it).
    const greeting = kind === "verify_email" || kind === "email_change" ? "Hello," : "Hello Ada,";
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain("Portico");
      expect(part).toContain(greeting);
      if (greeting === "Hello,") expect(part).not.toContain("Ada");
    }
    expect(mail.text).toMatch(/If (this wasn't you|you didn't)/);
    expect(mail.html).toMatch(/If (this wasn&#39;t you|you didn&#39;t)/);
    expect(mail.html).toMatch(/^<!DOCTYPE html>/);
    // No remote images and no style sheets: inline styles only.
    expect(mail.html).not.toMatch(/<img|<link|<style|<script/i);
  });

  it("puts the link and its lifetime in both parts of a verification mail", () => {
    const mail = verifyEmailMail({ link: LINK, expiresInMinutes: 1440 });
    expect(mail.subject).toBe("Confirm your email address — Portico");
    expect(mail.text).toContain(`\n${LINK}\n`);
    expect(mail.text).toContain("This link expires in 24 hours.");
    expect(mail.html).toContain(`href="${LINK}"`);
    expect(mail.html).toContain("This link expires in 24 hours.");
  });

  it("says 30 minutes for a reset link", () => {
    const mail = passwordResetMail({ name: "Ada", link: LINK, expiresInMinutes: 30 });
    expect(mail.text).toContain("This link expires in 30 minutes.");
    expect(mail.html).toContain("Reset password</a>");
  });

  it("escapes every interpolated value in the HTML part", () => {
    const name = `<script>alert("x")</script>`;
    const link = `https://auth.example.com/confirm-email?token=a&b="><img src=x>`;
    const mail = emailChangeMail({ link, expiresInMinutes: 60, newEmail: "<b>evil</b>@example.com" });
    const notice = emailChangedNoticeMail({ name, newEmail: "new@example.com" });
    expect(notice.html).not.toContain("<script>");
    expect(notice.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(notice.text).toContain(`Hello ${name},`);
    expect(mail.html).not.toContain("<script>");
    expect(mail.html).not.toContain("<b>evil");
    expect(mail.html).not.toContain("<img");
    expect(mail.html).toContain(
      'href="https://auth.example.com/confirm-email?token=a&amp;b=&quot;&gt;&lt;img src=x&gt;"',
    );
    expect(mail.text).toContain("This link expires in 1 hour.");
  });

  it("refuses a link that is not http(s)", () => {
    expect(() => verifyEmailMail({ link: "javascript:alert(1)", expiresInMinutes: 5 })).toThrow(/http/);
  });

  it("points notices at the given page when it wasn't them, and carries no link otherwise", () => {
    const withLink = passwordChangedMail({ name: "Ada", link: "https://auth.example.com/forgot-password" });
    expect(withLink.text).toContain("https://auth.example.com/forgot-password");
    expect(withLink.html).toContain('href="https://auth.example.com/forgot-password"');
    const without = accountDeletedMail({ name: "Ada" });
    expect(without.text).not.toMatch(/https?:/);
    expect(without.html).not.toContain("href=");
    expect(emailChangedNoticeMail({ name: "Ada", newEmail: "new@example.com" }).text).toContain("new@example.com");
    const cancelLink = "https://auth.example.com/cancel-email-change?token=abc";
    const cancellable = emailChangedNoticeMail({ name: "Ada", newEmail: "new@example.com", cancelLink });
    expect(cancellable.text).toContain(`Cancel this change:\n${cancelLink}\n`);
    expect(cancellable.html).toContain(`href="${cancelLink}"`);
  });

  it("words lifetimes in minutes and hours", () => {
    expect([1, 10, 30, 60, 90, 120, 1440].map(formatLifetime)).toEqual([
      "1 minute",
      "10 minutes",
      "30 minutes",
      "1 hour",
      "90 minutes",
      "2 hours",
      "24 hours",
    ]);
  });
});
