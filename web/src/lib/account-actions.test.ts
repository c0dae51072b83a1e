/**
 * /account's table of form handlers, without a server: which handler an `action` reaches, and
 * what the page is told for the API's answers. The API is stood in for by the calls a test
 * needs, recording what they were given; test/web/account-*.test.ts post the real forms.
 */
import type { AstroCookies } from "astro";
import { describe, expect, it } from "vitest";
import { type AccountRequest, handleAccountPost } from "./account-actions";
import type { ApiClient } from "./api-client";
import type { ApiResult } from "./api-request";

const TOKEN = "e30.e30.signature";

/** An API whose every call records its arguments and answers `answer`. */
function apiAnswering(answer: ApiResult<unknown>) {
  const calls: { name: string; args: unknown[] }[] = [];
  const api = new Proxy(
    {},
    {
      get:
        (_target, name) =>
        async (...args: unknown[]) => {
          calls.push({ name: String(name), args });
          return answer;
        },
    },
  ) as ApiClient;
  return { calls, account: { api, token: TOKEN, cookies: {} as AstroCookies, secureCookies: false } };
}

function post(fields: Record<string, string>, account: AccountRequest) {
  const request = new Request("http://localhost/account", { method: "POST", body: new URLSearchParams(fields) });
  return handleAccountPost(request, account);
}

const refused = (statusCode: number, code: string): ApiResult<never> => ({
  ok: false,
  error: { statusCode, code, message: "" },
});

describe("handleAccountPost (/account's forms)", () => {
  it("sends an unknown action, or none, back to the page without asking the API", async () => {
    for (const action of ["", "no-such-form", "constructor", "__proto__", "toString"]) {
      const { calls, account } = apiAnswering({ ok: true, value: undefined });
      expect(await post({ action }, account), action).toEqual({ kind: "redirect", to: "/account" });
      expect(calls, action).toEqual([]);
    }
  });

  it("a success is a 303 to /account?done=<key>", async () => {
    const forms: [Record<string, string>, string][] = [
      [{ action: "change-password", currentPassword: "a", newPassword: "b" }, "password"],
      [{ action: "sign-out-others" }, "others"],
      [{ action: "totp-disable", password: "a" }, "totp-off"],
    ];
    for (const [fields, key] of forms) {
      const { account } = apiAnswering({ ok: true, value: undefined });
      expect(await post(fields, account)).toEqual({ kind: "redirect", to: `/account?done=${key}` });
    }
  });

  it("refuses to delete without the tick, before the API (422)", async () => {
    const { calls, account } = apiAnswering({ ok: true, value: undefined });
    const outcome = await post({ action: "delete-account", password: "a" }, account);
    expect(outcome).toMatchObject({ kind: "show", status: 422 });
    expect(outcome.kind === "show" && outcome.errors.fields).toEqual({
      "delete-confirm": "Tick the box to confirm that you want to delete your account.",
    });
    expect(calls).toEqual([]);
  });

  it("signs out when the API no longer knows the session, whichever form", async () => {
    for (const action of ["change-password", "change-email", "sign-out-others", "totp-disable"]) {
      const { account } = apiAnswering(refused(401, "UNAUTHORIZED"));
      expect(await post({ action, confirm: "yes" }, account), action).toEqual({ kind: "sign-out" });
    }
  });

  it("shows a refused change of address again with the typed value and the API's status", async () => {
    const { calls, account } = apiAnswering(refused(409, "EMAIL_TAKEN"));
    const outcome = await post({ action: "change-email", newEmail: " ada@example.com ", password: "pw" }, account);
    expect(outcome).toMatchObject({ kind: "show", status: 409, newEmail: " ada@example.com " });
    expect(outcome.kind === "show" && outcome.errors.fields).toEqual({ newEmail: "This email is already registered." });
    expect(calls).toEqual([
      { name: "requestEmailChange", args: [TOKEN, { newEmail: " ada@example.com ", password: "pw" }] },
    ]);
  });

  it("says a session that is not one, or is gone, has already ended (404)", async () => {
    for (const [sessionId, answer] of [
      ["not-an-id", { ok: true, value: undefined }],
      ["0b6f3c9e-7d1a-4f2b-9c8e-1a2b3c4d5e6f", refused(404, "NOT_FOUND")],
    ] as const) {
      const { account } = apiAnswering(answer);
      const outcome = await post({ action: "sign-out-session", sessionId }, account);
      expect(outcome).toMatchObject({ kind: "show", status: 404 });
      expect(outcome.kind === "show" && outcome.errors.summary).toEqual([{ text: "That session has already ended." }]);
    }
  });
});
