import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { uniqueEmail } from "../helpers.js";
import {
  fillRegistration,
  findAxeViolations,
  focused,
  HAVE_CHROMIUM,
  isFocused,
  SKIP_CHROMIUM_REASON,
  saveScreenshot,
  sidewaysOverflow,
  tabTo,
  useChromiumPages,
  VIEWPORTS,
  type ViewportName,
} from "./browser.js";

const PASSWORD = "correct horse battery staple";

/** An element's text as a screen reader reads it: visually hidden parts included, spaces collapsed. */
async function text(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? "").replace(/\s+/g, " ").trim();
}

describe.skipIf(!HAVE_CHROMIUM)(`web client in Chromium (${HAVE_CHROMIUM ? "found" : SKIP_CHROMIUM_REASON})`, () => {
  const web = useChromiumPages({ javaScriptEnabled: true });
  const newPage = web.newPage;

  async function submit(page: Page, button: string) {
    await Promise.all([page.waitForLoadState("load"), page.getByRole("button", { name: button, exact: true }).click()]);
    await page.waitForLoadState("load");
  }

  async function registerUser(page: Page, email = uniqueEmail("browser")) {
    await page.goto("/register");
    await fillRegistration(page, { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    await Promise.all([page.waitForURL("**/dashboard"), page.getByRole("button", { name: "Sign up" }).click()]);
    return email;
  }

  it("registers, lands on the dashboard greeted once, logs out and logs in again", async () => {
    const page = await newPage();
    await page.goto("/");
    await page.getByRole("main").getByRole("link", { name: "Sign up" }).click();
    await page.waitForURL("**/register");
    const email = uniqueEmail("flow");
    await fillRegistration(page, { email, firstName: "José", lastName: "Nguyễn", password: PASSWORD });
    await Promise.all([page.waitForURL("**/dashboard"), page.getByRole("button", { name: "Sign up" }).click()]);
    expect(await page.getByRole("status").textContent()).toContain("Registration successful! Welcome, José.");
    const details = await text(page.locator("dl.details"));
    expect(details).toContain("José Nguyễn");
    expect(details).toContain(email);
    expect(details).toContain("User");
    expect(details).toMatch(/Member since\s+\d{1,2} \w+ \d{4}/);

    await page.reload();
    expect(await page.getByText("Registration successful").count()).toBe(0);

    await Promise.all([page.waitForURL(`${web.url}/`), page.getByRole("button", { name: "Log out" }).click()]);
    await page.goto("/dashboard");
    expect(new URL(page.url()).pathname).toBe("/login");

    await page.getByLabel("Email address").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
    await Promise.all([
      page.waitForURL("**/dashboard"),
      page.getByRole("button", { name: "Log in", exact: true }).click(),
    ]);
    expect(await text(page.locator("dl.details"))).toContain(email);
    expect(await page.getByText("Registration successful").count()).toBe(0);
  });

  describe("shows each of seed 001's messages in the error summary, and beside its field", () => {
    const cases: {
      message: string;
      fields: string[];
      values: Record<string, string>;
      /** What each field says, where it is not the summary's message (an empty field says what it needs). */
      beside?: Record<string, string>;
    }[] = [
      { message: "This email is already registered.", fields: ["email"], values: { email: "taken" } },
      { message: "Please enter a valid email address.", fields: ["email"], values: { email: "ada@" } },
      { message: "Password must be at least 8 characters.", fields: ["password"], values: { password: "short" } },
      {
        message: "Please fill in all required fields.",
        fields: ["email", "firstName", "lastName", "password"],
        values: { email: "", firstName: "", lastName: "", password: "" },
        beside: {
          email: "Enter your email address",
          firstName: "Enter your first name",
          lastName: "Enter your last name",
          password: "Enter a password",
        },
      },
      {
        message: "Names must contain only letters.",
        fields: ["firstName", "lastName"],
        values: { firstName: "R2D2", lastName: "<b>" },
      },
    ];

    it.each(cases)("$message", async ({ message, fields, values, beside }) => {
      const page = await newPage();
      const valid = { email: uniqueEmail("errors"), firstName: "Ada", lastName: "Lovelace", password: PASSWORD };
      let email = values.email ?? valid.email;
      if (email === "taken") email = await registerUser(await newPage());
      const typed = { ...valid, ...values, email };
      await page.goto("/register");
      await fillRegistration(page, typed);
      await submit(page, "Sign up");

      const summary = page.locator(".error-summary");
      expect(await page.title()).toMatch(/^Error: /);
      expect(await summary.getByRole("link", { name: message }).count()).toBe(1);
      expect(await summary.getByRole("link", { name: message }).getAttribute("href")).toBe(`#${fields[0]}`);
      expect(await isFocused(summary)).toBe(true);
      for (const field of fields) {
        const input = page.locator(`#${field}`);
        expect(await text(page.locator(`#${field}-error`)), field).toBe(`Error: ${beside?.[field] ?? message}`);
        expect(await input.getAttribute("aria-invalid"), field).toBe("true");
        expect(await input.getAttribute("aria-describedby"), field).toContain(`${field}-error`);
        if (field !== "password") expect(await input.inputValue(), field).toBe(typed[field as keyof typeof typed]);
      }
      expect(await page.locator("#password").inputValue()).toBe("");

      // The summary's link takes the person to the field.
      await summary.getByRole("link", { name: message }).click();
      expect((await focused(page))?.id).toBe(fields[0]);
    });
  });

  it("registers with the keyboard alone, every focus visible", async () => {
    const page = await newPage();
    await page.goto("/");
    await tabTo(page, (el) => el.inMain && el.text === "Sign up");
    await Promise.all([page.waitForURL("**/register"), page.keyboard.press("Enter")]);

    const email = uniqueEmail("keyboard");
    for (const [id, text] of [
      ["email", email],
      ["firstName", "Mary-Jane"],
      ["lastName", "Watson"],
      ["password", PASSWORD],
    ] as const) {
      await tabTo(page, (el) => el.id === id);
      await page.keyboard.type(text);
    }
    await tabTo(page, (el) => el.tag === "button" && el.text === "Show password");
    await page.keyboard.press("Enter");
    expect(await page.locator("#password").getAttribute("type")).toBe("text");
    await tabTo(page, (el) => el.tag === "button" && el.text === "Sign up");
    await Promise.all([page.waitForURL("**/dashboard"), page.keyboard.press("Enter")]);
    expect(await page.getByRole("status").textContent()).toContain("Registration successful! Welcome, Mary-Jane.");

    await tabTo(page, (el) => el.text === "Log out");
    await Promise.all([page.waitForURL(`${web.url}/`), page.keyboard.press("Space")]);
  });

  it("works with JavaScript switched off: errors, registration, dashboard, log out", async () => {
    const page = await newPage("desktop", false);
    await page.goto("/register");
    expect(await page.getByRole("button", { name: "Show password" }).isVisible()).toBe(false);

    await fillRegistration(page, { email: "nope", firstName: "Ada", lastName: "Lovelace", password: "short" });
    await submit(page, "Sign up");
    expect(await text(page.locator("#email-error"))).toBe("Error: Please enter a valid email address.");
    expect(await text(page.locator("#password-error"))).toBe("Error: Password must be at least 8 characters.");
    // `autofocus` moves focus to the summary without any script.
    expect(await isFocused(page.locator(".error-summary"))).toBe(true);
    expect(await page.getByLabel("First name").inputValue()).toBe("Ada");

    const email = uniqueEmail("nojs");
    await fillRegistration(page, { email, firstName: "Ada", lastName: "Lovelace", password: PASSWORD });
    await Promise.all([page.waitForURL("**/dashboard"), page.getByRole("button", { name: "Sign up" }).click()]);
    expect(await page.getByRole("status").textContent()).toContain("Registration successful! Welcome, Ada.");
    expect(await text(page.locator("dl.details"))).toContain(email);
    await Promise.all([page.waitForURL(`${web.url}/`), page.getByRole("button", { name: "Log out" }).click()]);
    expect(await page.getByRole("main").getByRole("link", { name: "Log in" }).isVisible()).toBe(true);
  });

  it("shows and hides the password with the toggle, and says so to screen readers", async () => {
    const page = await newPage();
    await page.goto("/login");
    const input = page.locator("#password");
    const toggle = page.getByRole("button", { name: "Show password" });
    await input.fill("secret words here");
    await toggle.click();
    expect(await input.getAttribute("type")).toBe("text");
    expect(await page.getByRole("button", { name: "Hide password" }).count()).toBe(1);
    expect(await page.locator("[data-password-status]").textContent()).toBe("Your password is visible");
    await page.getByRole("button", { name: "Hide password" }).click();
    expect(await input.getAttribute("type")).toBe("password");
  });

  it("has an axe check that can fail: it reports an input without a label", async () => {
    const page = await newPage();
    await page.setContent('<html lang="en"><title>t</title><main><input id="x"></main></html>');
    expect((await findAxeViolations(page)).map((v) => v.id)).toContain("label");
  });

  /** Every page, in each state worth seeing; `open` leaves the page showing it. */
  const PAGES: { name: string; open(page: Page, viewport: ViewportName): Promise<unknown> }[] = [
    { name: "home", open: (page) => page.goto("/") },
    { name: "register", open: (page) => page.goto("/register") },
    {
      name: "register-errors",
      open: async (page) => {
        await page.goto("/register");
        await fillRegistration(page, { email: "ada@example", firstName: "Ada", lastName: "", password: "short" });
        await submit(page, "Sign up");
      },
    },
    { name: "login", open: (page) => page.goto("/login") },
    {
      name: "login-errors",
      open: async (page) => {
        await page.goto("/login");
        await page.getByLabel("Email address").fill("ada@example.com");
        await page.getByLabel("Password", { exact: true }).fill("wrong password");
        await submit(page, "Log in");
      },
    },
    { name: "dashboard", open: (page, viewport) => registerUser(page, `ada.lovelace.${viewport}@example.com`) },
    { name: "not-found", open: (page) => page.goto("/no-such-page") },
    { name: "forbidden", open: (page) => page.goto("/403") },
  ];

  describe.each(Object.keys(VIEWPORTS) as ViewportName[])("at %s width", (viewport) => {
    it.each(PAGES)("$name: no axe violations, no sideways scrolling; screenshot", async ({ name, open }) => {
      const page = await newPage(viewport);
      await open(page, viewport);
      expect(await findAxeViolations(page)).toEqual([]);
      const overflow = await sidewaysOverflow(page);
      expect(overflow).toBeLessThanOrEqual(0);
      await saveScreenshot(page, `${name}-${viewport}`);
    });
  });
});
