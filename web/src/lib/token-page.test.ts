/**
 * A link page's button (/verify-email, /confirm-email), without a server: what the page shows and
 * with which status, for what the API answers. The API call is stood in for by a function that
 * records the tokens it was given.
 */
import { describe, expect, it } from "vitest";
import type { ApiResult } from "./api-request";
import { pressLinkButton } from "./token-page";

const TOKEN = "A".repeat(43);

function linkPage(method: "GET" | "HEAD" | "POST", query = "", form?: Record<string, string>) {
  const url = new URL(`http://localhost/verify-email${query}`);
  const request = new Request(url, { method, ...(form && { body: new URLSearchParams(form) }) });
  return { url, request, response: { status: undefined as number | undefined, headers: new Headers() } };
}

function api(answer: ApiResult<{ email: string }>) {
  const tokens: string[] = [];
  const press = async (token: string) => {
    tokens.push(token);
    return answer;
  };
  return { tokens, press };
}

const refusedWith = (statusCode: number, code: string): ApiResult<never> => ({
  ok: false,
  error: { statusCode, code, message: "" },
});

describe("pressLinkButton (a link page's button)", () => {
  it("opening the link shows the button and never uses the token; the token stays private", async () => {
    for (const method of ["GET", "HEAD"] as const) {
      const page = linkPage(method, `?token=${TOKEN}`);
      const { tokens, press } = api({ ok: true, value: { email: "ada@example.com" } });
      expect(await pressLinkButton(page, press)).toEqual({ state: "confirm", token: TOKEN, problems: [] });
      expect(tokens).toEqual([]);
      expect(page.response.status).toBeUndefined();
      expect(page.response.headers.get("referrer-policy")).toBe("no-referrer");
      expect(page.response.headers.get("cache-control")).toBe("no-store");
    }
  });

  it("a link without a token, or with one too long to be ours, is invalid (400) without asking the API", async () => {
    for (const query of ["", "?token=", `?token=${"A".repeat(513)}`]) {
      const page = linkPage("GET", query);
      const { tokens, press } = api({ ok: true, value: { email: "ada@example.com" } });
      expect(await pressLinkButton(page, press)).toEqual({ state: "invalid" });
      expect(page.response.status).toBe(400);
      expect(tokens).toEqual([]);
    }
  });

  it("the button's POST hands the posted token (not the query's) to the API: done", async () => {
    const page = linkPage("POST", "?token=from-the-query", { token: ` ${TOKEN} ` });
    const { tokens, press } = api({ ok: true, value: { email: "ada@example.com" } });
    expect(await pressLinkButton(page, press)).toEqual({ state: "done", value: { email: "ada@example.com" } });
    expect(tokens).toEqual([TOKEN]);
    expect(page.response.status).toBeUndefined();
    expect(page.response.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("a token the API does not take (INVALID_TOKEN, a 422), or none posted, is invalid (400)", async () => {
    for (const [form, answer] of [
      [{ token: TOKEN }, refusedWith(400, "INVALID_TOKEN")],
      [{ token: TOKEN }, refusedWith(422, "VALIDATION_ERROR")],
      [{}, refusedWith(503, "SERVICE_UNAVAILABLE")],
    ] as const) {
      const page = linkPage("POST", "", form);
      expect(await pressLinkButton(page, api(answer).press)).toEqual({ state: "invalid" });
      expect(page.response.status).toBe(400);
    }
  });

  it("a busy or unreachable API shows the button again, with the token and the problem, and the API's status", async () => {
    const page = linkPage("POST", "", { token: TOKEN });
    expect(await pressLinkButton(page, api(refusedWith(503, "SERVICE_UNAVAILABLE")).press)).toEqual({
      state: "confirm",
      token: TOKEN,
      problems: [{ text: "The service is temporarily unavailable. Please try again in a moment." }],
    });
    expect(page.response.status).toBe(503);
  });

  it("a refusal the page names comes back as refused, with the API's status; others as a problem", async () => {
    const named = linkPage("POST", "", { token: TOKEN });
    const taken = api(refusedWith(409, "EMAIL_TAKEN")).press;
    expect(await pressLinkButton(named, taken, ["EMAIL_TAKEN"])).toEqual({ state: "refused", code: "EMAIL_TAKEN" });
    expect(named.response.status).toBe(409);
    const unnamed = linkPage("POST", "", { token: TOKEN });
    expect((await pressLinkButton(unnamed, taken)).state).toBe("confirm");
    expect(unnamed.response.status).toBe(409);
  });
});
