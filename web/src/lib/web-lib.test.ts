/**
 * The web client's own logic, without a server: what a form shows for an API error, how the
 * session cookie is kept, and where a login goes next. (Astro's cookie jar is stood in for by a
 * Map with the same four methods: these tests are about our rules, not Astro's cookies.)
 */
import type { AstroCookies } from "astro";
import { describe, expect, it } from "vitest";
import type { ApiError } from "./api-request";
import { displayMessage, toFormErrors } from "./form-errors";
import { afterLogin, loginFor, safeNextPath } from "./return-to";
import {
  endSession,
  looksSignedIn,
  sessionToken,
  setWelcome,
  startSession,
  takeWelcome,
  tokenSessionId,
} from "./session";

const REGISTER_INPUTS = { email: ["email"], name: ["firstName", "lastName"], password: ["password"] };
const apiError = (code: string, details?: ApiError["details"]): ApiError => ({
  statusCode: 422,
  code,
  message: "",
  ...(details && { details }),
});

describe("toFormErrors (the GOV.UK error pattern)", () => {
  it("says what is missing beside each empty field, and seed 001's sentence once in the summary", () => {
    const errors = toFormErrors(
      apiError("VALIDATION_ERROR", [
        { field: "email", code: "MISSING_FIELDS", message: "" },
        { field: "name", code: "MISSING_FIELDS", message: "" },
        { field: "password", code: "MISSING_FIELDS", message: "" },
      ]),
      REGISTER_INPUTS,
    );
    expect(errors.fields).toEqual({
      email: "Enter your email address",
      firstName: "Enter your first name",
      lastName: "Enter your last name",
      password: "Enter your password",
    });
    expect(errors.summary).toEqual([{ text: "Please fill in all required fields.", href: "#email" }]);
  });

  it("keeps each other problem beside its field and in the summary, in the form's order", () => {
    const errors = toFormErrors(
      apiError("VALIDATION_ERROR", [
        { field: "password", code: "WEAK_PASSWORD", message: "" },
        { field: "email", code: "INVALID_EMAIL", message: "" },
      ]),
      REGISTER_INPUTS,
    );
    expect(errors.fields).toEqual({
      email: "Please enter a valid email address.",
      password: "Password must be at least 8 characters.",
    });
    expect(errors.summary.map((item) => item.href)).toEqual(["#email", "#password"]);
  });

  it("puts an error without details on its field, or on the whole form when it has none", () => {
    expect(toFormErrors(apiError("EMAIL_TAKEN"), REGISTER_INPUTS)).toEqual({
      fields: { email: "This email is already registered." },
      summary: [{ text: "This email is already registered.", href: "#email" }],
    });
    expect(toFormErrors(apiError("OVERLOADED"), REGISTER_INPUTS)).toEqual({
      fields: {},
      summary: [{ text: "The service is busy. Please try again in a moment." }],
    });
    expect(displayMessage("SOMETHING_NEW")).toBe("Something went wrong. Please try again.");
  });

  it("lets a form use its own words for a missing field", () => {
    const errors = toFormErrors(
      apiError("VALIDATION_ERROR", [{ field: "password", code: "MISSING_FIELDS", message: "" }]),
      REGISTER_INPUTS,
      {
        password: "Enter a password",
      },
    );
    expect(errors.fields.password).toBe("Enter a password");
  });
});

/** A cookie jar with AstroCookies' get/set/delete/has, recording the options of each set. */
function jar() {
  const values = new Map<string, { value: string; options: Record<string, unknown> }>();
  const cookies = {
    get: (name: string) => (values.has(name) ? { value: values.get(name)?.value } : undefined),
    has: (name: string) => values.has(name),
    set: (name: string, value: string, options: Record<string, unknown>) => values.set(name, { value, options }),
    delete: (name: string) => values.delete(name),
  };
  return { values, cookies: cookies as unknown as AstroCookies };
}

const tokenWith = (claims: Record<string, unknown>) =>
  `e30.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.signature`;

describe("the session cookie", () => {
  it("lives exactly as long as the token, httpOnly, SameSite=Lax; under the __Host- name when Secure", () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const plain = jar();
    startSession(plain.cookies, tokenWith({ exp }), false);
    const cookie = plain.values.get("portico_session");
    expect(cookie?.options).toMatchObject({ httpOnly: true, sameSite: "lax", secure: false, path: "/" });
    expect(Math.abs((cookie?.options.maxAge as number) - 3600)).toBeLessThanOrEqual(1);

    const secure = jar();
    startSession(secure.cookies, tokenWith({ exp }), true);
    expect([...secure.values.keys()]).toEqual(["__Host-portico_session"]);
    expect(sessionToken(secure.cookies, true)).toBe(tokenWith({ exp }));
    endSession(secure.cookies, true);
    expect(sessionToken(secure.cookies)).toBeUndefined();
  });

  it("prefers the __Host- cookie, and with Secure cookies never reads the plain one", () => {
    const { cookies } = jar();
    cookies.set("portico_session", "plain", {});
    expect(sessionToken(cookies)).toBe("plain");
    expect(sessionToken(cookies, true)).toBeUndefined();
    cookies.set("__Host-portico_session", "host-only", {});
    expect(sessionToken(cookies)).toBe("host-only");
  });

  it("looks signed in only with a token that has not expired, and reads its session id", () => {
    const { cookies } = jar();
    expect(looksSignedIn(cookies)).toBe(false);
    cookies.set("portico_session", tokenWith({ exp: Math.floor(Date.now() / 1000) - 5 }), {});
    expect(looksSignedIn(cookies)).toBe(false);
    cookies.set("portico_session", "not a token", {});
    expect(looksSignedIn(cookies)).toBe(false);
    const live = tokenWith({ exp: Math.floor(Date.now() / 1000) + 60, sid: "s-1" });
    cookies.set("portico_session", live, {});
    expect(looksSignedIn(cookies)).toBe(true);
    expect(tokenSessionId(live)).toBe("s-1");
    expect(tokenSessionId("garbage")).toBeUndefined();
  });

  it("greets once after a sign-up", () => {
    const { cookies } = jar();
    setWelcome(cookies, false);
    expect(takeWelcome(cookies, false)).toBe(true);
    expect(takeWelcome(cookies, false)).toBe(false);
  });
});

describe("where a login goes next", () => {
  it("follows a path of this site, query included", () => {
    expect(safeNextPath("/account")).toBe("/account");
    expect(safeNextPath("/account/two-factor?tab=codes")).toBe("/account/two-factor?tab=codes");
    expect(afterLogin("/account")).toBe("/account");
  });

  it.each([
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "/%2F%2Fevil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/login",
    "",
    undefined,
    "/a".repeat(300),
  ])("refuses %j and goes to the dashboard", (value) => {
    expect(safeNextPath(value)).toBeUndefined();
    expect(afterLogin(value)).toBe("/dashboard");
  });

  it("sends a signed-out visit to the login page with the path it asked for", () => {
    expect(loginFor(new URL("http://x.example/account/two-factor?secret=1"))).toBe("/login?next=/account/two-factor");
  });
});
