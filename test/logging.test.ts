import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scrubUrl, serializeError } from "../src/ops/logger.js";
import { WEB_DIST_DIR } from "../src/web/mount.js";
import { listenOnLoopback, uniqueEmail } from "./helpers.js";
import { captureLogs } from "./log-capture.js";
import { usePortico } from "./use-portico.js";

const HAVE_WEB = existsSync(join(WEB_DIST_DIR, "server", "entry.mjs"));

/** Written nowhere but in requests: if it shows up in a log line or an answer, something leaked. */
const SENTINEL = `Sentinel-${randomUUID()}`;

interface Exchange {
  label: string;
  status: number;
  headers: Headers;
  body: string;
}

describe("logs: one JSON line per request, with its id, and never a secret", () => {
  const logs = captureLogs("trace");
  const portico = usePortico({ env: { RATE_LIMIT: "on" }, logger: logs.logger });
  let listening: Awaited<ReturnType<typeof listenOnLoopback>> | undefined;
  let base: string;
  const exchanges: Exchange[] = [];

  async function call(label: string, path: string, init: RequestInit = {}): Promise<Exchange> {
    const res = await fetch(`${base}${path}`, { redirect: "manual", ...init });
    const exchange = { label, status: res.status, headers: res.headers, body: await res.text() };
    exchanges.push(exchange);
    return exchange;
  }

  const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

  beforeAll(async () => {
    listening = await listenOnLoopback(portico.app);
    base = listening.url;
  });

  afterAll(async () => {
    await listening?.close();
  });

  it("keeps a sentinel password, tokens and cookies out of every log line and every answer", async () => {
    const email = uniqueEmail("sentinel");
    const user = { email, password: SENTINEL, firstName: "Ada", lastName: "Lovelace" };
    const registered = await call("register", "/api/v1/auth/register", json(user));
    expect(registered.status).toBe(201);
    const token = JSON.parse(registered.body).token as string;

    expect((await call("login", "/api/v1/auth/login", json({ email, password: SENTINEL }))).status).toBe(200);
    expect((await call("wrong password", "/api/v1/auth/login", json({ email, password: `${SENTINEL}x` }))).status).toBe(
      401,
    );
    expect((await call("taken", "/api/v1/auth/register", json(user))).status).toBe(409);
    expect(
      (await call("malformed", "/api/v1/auth/login", json(`{"email":"${email}","password":"${SENTINEL}"`))).status,
    ).toBe(400);
    expect((await call("wrong type", "/api/v1/auth/login", json({ email, password: [SENTINEL] }))).status).toBe(422);
    expect(
      (
        await call(
          "weak",
          "/api/v1/auth/register",
          json({ ...user, email: uniqueEmail(), password: SENTINEL.slice(0, 7) }),
        )
      ).status,
    ).toBe(422);
    const plain = { method: "POST", headers: { "content-type": "text/plain" }, body: `password=${SENTINEL}` };
    expect((await call("not json", "/api/v1/auth/login", plain)).status).toBe(415);
    expect(
      (await call("too large", "/api/v1/auth/login", json({ email, password: SENTINEL, pad: "x".repeat(20_000) })))
        .status,
    ).toBe(413);
    const bearer = { headers: { authorization: `Bearer ${token}`, cookie: `portico_session=${token}` } };
    expect((await call("me", "/api/v1/auth/me", bearer)).status).toBe(200);
    expect(
      (await call("bad token", "/api/v1/auth/me", { headers: { authorization: `Bearer ${SENTINEL}` } })).status,
    ).toBe(401);
    expect((await call("query", `/api/v1/nothing?token=${SENTINEL}&password=${SENTINEL}`)).status).toBe(404);
    if (HAVE_WEB) {
      // The web client's form post: the password goes through the page and then the API.
      const form = new URLSearchParams({
        email: uniqueEmail("web"),
        firstName: "Grace",
        lastName: "Hopper",
        password: SENTINEL,
      });
      const posted = await call("web register", "/register", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
        body: form.toString(),
      });
      expect(posted.status).toBe(303);
      const webLogin = new URLSearchParams({ email, password: `${SENTINEL}-wrong` });
      await call("web login", "/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: base },
        body: webLogin.toString(),
      });
    }
    // Last, an unexpected failure: it is logged with its cause, which must not carry the password.
    await portico.database.kysely.schema.dropTable("users").cascade().execute();
    expect((await call("internal error", "/api/v1/auth/login", json({ email, password: SENTINEL }))).status).toBe(500);

    const text = logs.lines.join("\n");
    expect(logs.lines.length).toBeGreaterThan(exchanges.length);
    expect(text).not.toContain(SENTINEL);
    expect(text).not.toContain(token);
    expect(text).not.toMatch(/\$2[aby]\$\d\d\$/); // no bcrypt hash
    for (const exchange of exchanges) {
      expect(exchange.body, exchange.label).not.toContain(SENTINEL);
      expect([...exchange.headers.values()].join("\n"), exchange.label).not.toContain(SENTINEL);
    }
    // The unexpected error was logged, with its cause: the scrubbing hid nothing useful.
    expect(logs.records().some((r) => r.msg === "unhandled error" && r.err)).toBe(true);
  });

  it("writes one line per request with the request id, taken from X-Request-Id when valid and echoed back", async () => {
    const before = logs.lines.length;
    const given = `req-${randomUUID()}`;
    const echoed = await call("with id", "/healthz", { headers: { "x-request-id": given } });
    expect(echoed.headers.get("x-request-id")).toBe(given);
    const made = await call("bad id", "/healthz", { headers: { "x-request-id": "no spaces\tor tabs allowed" } });
    const madeId = made.headers.get("x-request-id") ?? "";
    expect(madeId).toMatch(/^[0-9a-f-]{36}$/);
    const plain = await call("no id", "/api/v1/auth/login", json({}));
    const plainId = plain.headers.get("x-request-id");

    const lines = logs.records().slice(before);
    const requestLines = lines.filter((r) => r.req && r.res);
    expect(requestLines).toHaveLength(3);
    expect(requestLines.map((r) => (r.req as { id: string }).id)).toEqual([given, madeId, plainId]);
    for (const line of requestLines) {
      expect(line).toMatchObject({ service: "portico", req: { method: expect.any(String), url: expect.any(String) } });
      expect(typeof line.responseTime).toBe("number");
      expect(typeof line.time).toBe("string");
    }
    expect(requestLines[2]).toMatchObject({ level: 40, res: { statusCode: 422 } });
  });

  it("scrubs secrets from errors and URLs wherever they come from", () => {
    const parseError = Object.assign(new SyntaxError(`Unexpected token in JSON: "${SENTINEL}`), {
      type: "entity.parse.failed",
      body: `{"password":"${SENTINEL}"`,
    });
    const nested = new Error("outer", { cause: Object.assign(new Error("inner"), { config: { password: SENTINEL } }) });
    expect(JSON.stringify(serializeError(parseError))).not.toContain(SENTINEL);
    expect(JSON.stringify(serializeError(nested))).not.toContain(SENTINEL);
    expect(JSON.stringify(serializeError(nested))).toContain("inner");
    expect(scrubUrl(`/reset?token=${SENTINEL}&page=2`)).toBe("/reset?token=%5Bredacted%5D&page=2");

    // Whatever a log call is handed, at any depth.
    const { logger, lines } = captureLogs("trace");
    logger.info({ deep: { input: [{ password: SENTINEL, Authorization: SENTINEL }] }, err: nested }, "handed");
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain(SENTINEL);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      deep: { input: [{ password: "[redacted]" }] },
      err: { message: expect.stringContaining("outer") },
    });
  });
});
