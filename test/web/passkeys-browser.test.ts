import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Page } from "playwright-core";
import request from "supertest";
import { describe, expect, it } from "vitest";
import { totpCodeAt } from "../../src/mfa/totp.js";
import { newUserBody } from "../helpers.js";
import { enableTotp, wrongCode } from "../support/factors.js";
import {
  CHROMIUM_PATH,
  fillRegistration,
  HAVE_CHROMIUM,
  isFocused,
  SCREENSHOT_DIR,
  SKIP_CHROMIUM_REASON,
  saveScreenshot,
  useChromiumPages,
} from "./browser.js";
import { addAuthenticator, credentialsOn, startPasskeyServer, withoutUserVerified } from "./support/passkeys.js";

/**
 * Passkeys end to end (SPEC §11, §12) in Debian's Chromium with its virtual authenticator (CDP
 * `WebAuthn.*`): a platform authenticator (ctap2, internal) with resident keys and user
 * verification. WebAuthn needs a secure context and an RP id that matches the page's host, so
 * the browser opens http://localhost:<port> (localhost is secure) and PUBLIC_ORIGIN says the same.
 */

describe.skipIf(!HAVE_CHROMIUM)(
  `passkeys in Chromium (${HAVE_CHROMIUM ? CHROMIUM_PATH : SKIP_CHROMIUM_REASON})`,
  () => {
    const web = useChromiumPages({ javaScriptEnabled: true, start: startPasskeyServer });
    const newPage = web.newPage;

    /** Signs up through the form; the browser is then signed in, on the dashboard. */
    async function signUp(page: Page) {
      const user = newUserBody();
      await page.goto("/register");
      await fillRegistration(page, user);
      await page.getByRole("button", { name: "Sign up" }).click();
      await page.waitForURL("**/dashboard");
      return user;
    }

    async function addPasskeyOnAccountPage(page: Page, name: string, password: string) {
      await page.goto("/account");
      await page.getByLabel("Name of the new passkey").fill(name);
      await page.locator("#passkey-password").fill(password);
      await page.getByRole("button", { name: "Add a passkey" }).click();
      await page.waitForURL("**/account?passkey=added*");
      await expect.poll(() => page.getByRole("status").textContent()).toContain("Your passkey has been added");
    }

    async function logOut(page: Page) {
      await page.goto("/dashboard");
      await page.getByRole("button", { name: "Log out" }).click();
      await page.waitForURL((url) => url.pathname === "/");
    }

    /** Presses "Log in with a passkey" on /login; the API's answer to the page's sign-in post, if one came. */
    async function signInWithPasskey(page: Page) {
      await page.goto("/login");
      const answer = page
        .waitForResponse((r) => new URL(r.url()).pathname === "/login/passkey", { timeout: 10_000 })
        .catch(() => undefined);
      await page.getByRole("button", { name: "Log in with a passkey" }).click();
      return answer;
    }

    const passkeySessions = async (email: string) =>
      web.server.portico.database.kysely
        .selectFrom("sessions")
        .innerJoin("users", "users.id", "sessions.user_id")
        .select("sessions.id")
        .where("users.email", "=", email)
        .where("sessions.auth_method", "=", "passkey")
        .execute();

    it("registers a passkey on /account, and after logging out signs in with it (usernameless) to the dashboard", async () => {
      const page = await newPage();
      const authenticator = await addAuthenticator(page);
      const user = await signUp(page);
      await addPasskeyOnAccountPage(page, "Test laptop", user.password);
      const list = page.locator(".passkey-list");
      await expect.poll(() => list.getByRole("heading", { level: 4 }).allTextContents()).toEqual(["Test laptop"]);
      await expect.poll(() => list.textContent()).toContain("Not yet");
      const stored = await credentialsOn(authenticator);
      expect(stored).toHaveLength(1);
      expect(stored[0]?.isResidentCredential).toBe(true);
      await saveScreenshot(page, "account-passkeys");
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.locator(".passkeys").screenshot({ path: join(SCREENSHOT_DIR, "account-passkeys-list.png") });

      await logOut(page);
      await page.goto("/login");
      await page.getByRole("button", { name: "Log in with a passkey" }).waitFor({ state: "visible" });
      await saveScreenshot(page, "login-passkey");
      const answer = await signInWithPasskey(page);
      expect(answer?.status()).toBe(200);
      await page.waitForURL("**/dashboard");
      await expect.poll(() => page.getByRole("heading", { level: 1 }).textContent()).toBe("Your account");
      await expect.poll(() => page.getByText(user.email).count()).toBeGreaterThan(0);
      expect(await passkeySessions(user.email)).toHaveLength(1);

      await page.goto("/account");
      await expect.poll(() => page.locator(".passkey-list").textContent()).not.toContain("Not yet");
      await expect.poll(() => page.locator(".activity").textContent()).toContain("Passkey added");
    });

    it("refuses an authenticator that does not verify the user, even when the page is told not to ask", async () => {
      const page = await newPage();
      const authenticator = await addAuthenticator(page);
      const user = await signUp(page);
      await addPasskeyOnAccountPage(page, "Phone", user.password);
      await logOut(page);
      await authenticator.cdp.send("WebAuthn.setUserVerified", {
        authenticatorId: authenticator.id,
        isUserVerified: false,
      });

      // As the site asks (user verification required): no session, a message, still on /login.
      const answers: number[] = [];
      page.on("response", (r) => {
        if (new URL(r.url()).pathname === "/login/passkey") answers.push(r.status());
      });
      await page.goto("/login");
      await page.getByRole("button", { name: "Log in with a passkey" }).click();
      await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/passkey/i);
      expect(new URL(page.url()).pathname).toBe("/login");
      // Chromium itself refuses here (NotAllowedError): no assertion is made, none is posted.
      expect(answers.filter((status) => status !== 401)).toEqual([]);

      // A page that asks for no verification (tampered with): the assertion reaches the API, which refuses it.
      await page.route("**/login/passkey/options", async (route) => {
        const response = await route.fetch();
        const body = await response.json();
        body.options.userVerification = "discouraged";
        await route.fulfill({ response, json: body });
      });
      const answer = await signInWithPasskey(page);
      expect(answer?.status()).toBe(401);
      expect(await answer?.json()).toMatchObject({ code: "INVALID_PASSKEY" });
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("We could not log you in");
      expect(new URL(page.url()).pathname).toBe("/login");
      expect(await passkeySessions(user.email)).toHaveLength(0);
    });

    it("refuses to add a passkey whose authenticator did not verify the user", async () => {
      const page = await newPage();
      const authenticator = await addAuthenticator(page, false);
      const user = await signUp(page);
      // Chromium itself will not make a discoverable credential without verifying the user.
      await page.goto("/account");
      await page.locator("#passkey-password").fill(user.password);
      await page.getByRole("button", { name: "Add a passkey" }).click();
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("No passkey was added");
      expect(await credentialsOn(authenticator)).toHaveLength(0);

      // A made one whose "user verified" flag is cleared on the way: the API is the judge, and refuses it.
      await authenticator.cdp.send("WebAuthn.setUserVerified", {
        authenticatorId: authenticator.id,
        isUserVerified: true,
      });
      await page.route("**/account/passkeys", async (route) => {
        const body = route.request().postDataJSON();
        body.response.response.attestationObject = withoutUserVerified(body.response.response.attestationObject);
        await route.continue({ postData: JSON.stringify(body) });
      });
      const answer = page.waitForResponse((r) => new URL(r.url()).pathname === "/account/passkeys");
      await page.getByRole("button", { name: "Add a passkey" }).click();
      expect((await answer).status()).toBe(400);
      expect(await (await answer).json()).toMatchObject({ code: "PASSKEY_REJECTED" });
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("could not be added");
      await page.goto("/account");
      await expect.poll(() => page.getByText("You have no passkeys yet.").count()).toBe(1);
    });

    it("asks for the password before any passkey is made: a wrong one is refused, and no credential exists", async () => {
      const page = await newPage();
      const authenticator = await addAuthenticator(page);
      const user = await signUp(page);
      await page.goto("/account");
      const password = page.locator("#passkey-password");
      expect(await page.locator("#passkey-code").count()).toBe(0); // TOTP off: no code to ask for
      await page.getByRole("button", { name: "Add a passkey" }).click();
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("Enter your password");
      await password.fill("not the password");
      await page.getByRole("button", { name: "Add a passkey" }).click();
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("Current password is incorrect");
      expect(await password.getAttribute("aria-invalid")).toBe("true");
      await expect.poll(() => isFocused(password)).toBe(true);
      expect(await credentialsOn(authenticator)).toHaveLength(0);
      await addPasskeyOnAccountPage(page, "Laptop", user.password);
      expect(await credentialsOn(authenticator)).toHaveLength(1);
    });

    it("with TOTP on, adding a passkey asks for a current code as well", async () => {
      const page = await newPage();
      const authenticator = await addAuthenticator(page);
      const user = await signUp(page);
      const api = () => request(web.server.portico.app);
      const cookies = await page.context().cookies(); // the browser's own session (enabling ends the others)
      const token = cookies.find((c) => c.name === "portico_session")?.value ?? "";
      const secret = await enableTotp(api, token, user.password);
      await page.goto("/account");
      await page.locator("#passkey-password").fill(user.password);
      await page.getByLabel("6-digit code from your authenticator app").fill(wrongCode(secret));
      await page.getByRole("button", { name: "Add a passkey" }).click();
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("Enter the 6-digit code");
      expect(await credentialsOn(authenticator)).toHaveLength(0);
      await page.getByLabel("6-digit code from your authenticator app").fill(totpCodeAt(secret, Date.now() + 30_000));
      await page.getByRole("button", { name: "Add a passkey" }).click();
      await page.waitForURL("**/account?passkey=added*");
      expect(await credentialsOn(authenticator)).toHaveLength(1);
    });

    it("a removed passkey no longer signs in", async () => {
      const page = await newPage();
      const authenticator = await addAuthenticator(page);
      const user = await signUp(page);
      await addPasskeyOnAccountPage(page, "Old key", user.password);
      await page.getByRole("button", { name: "Remove the passkey Old key" }).click();
      await page.waitForURL("**/account?passkey=removed*");
      await expect.poll(() => page.getByText("You have no passkeys yet.").count()).toBe(1);
      await logOut(page);

      expect(await credentialsOn(authenticator)).toHaveLength(1); // the device still holds it
      const answer = await signInWithPasskey(page);
      expect(answer?.status()).toBe(401);
      await expect.poll(() => page.getByRole("alert").textContent()).toContain("We could not log you in");
      expect(new URL(page.url()).pathname).toBe("/login");
      expect(await passkeySessions(user.email)).toHaveLength(0);
    });

    it("offers no passkey button without JavaScript, and the password form still works", async () => {
      const page = await newPage("desktop", false);
      const user = await signUp(page);
      await logOut(page);
      await page.goto("/login");
      expect(await page.getByRole("button", { name: "Log in with a passkey" }).isVisible()).toBe(false);
      await page.goto("/login");
      await page.getByLabel("Email address").fill(user.email);
      await page.getByLabel("Password", { exact: true }).fill(user.password);
      await page.getByRole("button", { name: "Log in", exact: true }).click();
      await page.waitForURL("**/dashboard");
      await page.goto("/account");
      expect(await page.getByRole("button", { name: "Add a passkey" }).isVisible()).toBe(false);
    });
  },
);
