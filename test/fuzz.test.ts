import { once } from "node:events";
import { createServer, type Server } from "node:http";
import fc from "fast-check";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { STATUS_BY_CODE } from "../src/http/error-handler.js";
import { newUserBody, TEST_ENGINES } from "./helpers.js";
import { type FuzzBody, loginBodies, registerBodies } from "./support/fuzz-bodies.js";
import { usePortico } from "./use-portico.js";

/**
 * Property tests through the whole HTTP stack: whatever body a client sends to register or log
 * in, the answer is never a 5xx, and every error has SPEC's one shape. Most generated bodies are
 * invalid (no bcrypt work); the valid ones hash at cost 4 (test config), so a run stays short.
 * The run counts add up to 10,000 bodies on PGlite; the PostgreSQL server, when there is one,
 * gets a fifth of that (the HTTP layer is the same, only the storage differs).
 */
const RUNS = {
  registerJson: 3000,
  registerRaw: 1000,
  registerNearValid: 1000,
  loginJson: 2500,
  loginRaw: 1000,
  loginNearValid: 1500,
};
const ENGINE_SHARE: Record<string, number> = { PGlite: 1, "PostgreSQL server": 0.2 };
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

const ERROR_KEYS = new Set(["error", "message", "statusCode", "code", "details"]);
const KNOWN_CODES = new Set(Object.keys(STATUS_BY_CODE));
const USER_KEYS = ["createdAt", "email", "emailVerified", "firstName", "id", "isAdmin", "lastName", "name", "role"];

/** Throws, saying what is wrong, unless the response is a success or one of SPEC's errors. */
function checkResponse(res: request.Response, successStatus: number): void {
  const say = (problem: string) => {
    throw new Error(`${problem}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
  };
  if (res.status >= 500) say("5xx");
  if (!/^application\/json/.test(String(res.headers["content-type"]))) say("not JSON");
  const body = res.body as Record<string, unknown>;
  if (res.status === successStatus) {
    const user = body.user as Record<string, unknown> | undefined;
    if (typeof body.token !== "string" || !user) say("success without token and user");
    if (
      Object.keys(user as object)
        .sort()
        .join() !== USER_KEYS.join()
    )
      say("user with unexpected fields");
    if (user?.role !== "user" || user.isAdmin !== false) say("a body made itself admin");
    return;
  }
  for (const key of Object.keys(body)) if (!ERROR_KEYS.has(key)) say(`unexpected field ${key}`);
  if (typeof body.error !== "string" || typeof body.message !== "string") say("error or message missing");
  if (body.statusCode !== res.status) say("statusCode differs from the HTTP status");
  if (typeof body.code !== "string" || !KNOWN_CODES.has(body.code)) say("unknown code");
  if (STATUS_BY_CODE[body.code as keyof typeof STATUS_BY_CODE] !== res.status) say("code and status disagree");
  if (body.details !== undefined) {
    if (!Array.isArray(body.details) || body.details.length === 0) say("details is not a non-empty list");
    for (const d of body.details as Record<string, unknown>[]) {
      if (typeof d.field !== "string" || typeof d.code !== "string" || typeof d.message !== "string") say("bad detail");
    }
  }
  if (/at .+\.(ts|js):\d+|\$2[aby]\$/.test(res.text)) say("a stack trace or a hash leaked");
}

let sentInTotal = 0;

describe.each(TEST_ENGINES)("fuzzing register and login on $name", (engine) => {
  const share = ENGINE_SHARE[engine.name] ?? 0.2;
  const runs = (n: number) => Math.ceil(n * share);
  const user = newUserBody();
  const portico = usePortico({ engine });
  let server: Server;
  let sent = 0;

  beforeAll(async () => {
    server = createServer(portico.app).listen(0, "127.0.0.1");
    await once(server, "listening");
    await request(server).post("/api/v1/auth/register").send(user).expect(201);
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  function post(path: string, body: FuzzBody) {
    sent++;
    sentInTotal++;
    // The identity serializer sends the bytes as they are (superagent would JSON-encode a Buffer).
    return request(server)
      .post(path)
      .set("Content-Type", body.contentType ?? "application/json")
      .serialize((bytes: Buffer) => bytes as unknown as string)
      .send(body.raw);
  }

  /** Runs the property; returns how many bodies succeeded (the rest were refused with a 4xx). */
  async function fuzz(path: string, bodies: fc.Arbitrary<FuzzBody>, numRuns: number, successStatus: number) {
    let succeeded = 0;
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const res = await post(path, body);
        checkResponse(res, successStatus);
        if (res.status === successStatus) succeeded++;
      }),
      { numRuns, seed: SEED, endOnFailure: false, verbose: 1 },
    );
    return succeeded;
  }

  it("answers register JSON of any shape without a 5xx and with the error shape", { timeout: 120_000 }, async () => {
    await fuzz("/api/v1/auth/register", registerBodies.json, runs(RUNS.registerJson), 201);
  });

  it("answers raw register bodies (broken JSON, NUL bytes, bad UTF-8, deep nesting) without a 5xx", {
    timeout: 120_000,
  }, async () => {
    await fuzz("/api/v1/auth/register", registerBodies.raw, runs(RUNS.registerRaw), 201);
  });

  it("answers near-valid register bodies (one field made strange) with 201 or a 4xx", {
    timeout: 120_000,
  }, async () => {
    const created = await fuzz("/api/v1/auth/register", registerBodies.nearValid, runs(RUNS.registerNearValid), 201);
    // The valid path (bcrypt, INSERT, token) is exercised too, not only refusals.
    expect(created).toBeGreaterThan(0);
  });

  it("answers login JSON of any shape without a 5xx and with the error shape", { timeout: 120_000 }, async () => {
    await fuzz("/api/v1/auth/login", loginBodies.json, runs(RUNS.loginJson), 200);
  });

  it("answers raw login bodies without a 5xx", { timeout: 120_000 }, async () => {
    await fuzz("/api/v1/auth/login", loginBodies.raw, runs(RUNS.loginRaw), 200);
  });

  it("answers near-valid login bodies with 200 or a 4xx", { timeout: 120_000 }, async () => {
    const signedIn = await fuzz("/api/v1/auth/login", loginBodies.nearValid(user), runs(RUNS.loginNearValid), 200);
    expect(signedIn).toBeGreaterThan(0);
  });

  it("sent every generated body", () => {
    expect(sent).toBe(Object.values(RUNS).reduce((total, n) => total + runs(n), 0));
  });

  it("checks what it claims: a 500 or a foreign error shape fails the check", () => {
    const fake = (status: number, body: object) =>
      ({ status, body, text: JSON.stringify(body), headers: { "content-type": "application/json" } }) as never;
    expect(() =>
      checkResponse(fake(500, { error: "x", message: "x", statusCode: 500, code: "INTERNAL_ERROR" }), 201),
    ).toThrow(/5xx/);
    expect(() => checkResponse(fake(400, { error: "Bad Request", stack: "x" }), 201)).toThrow(/unexpected field/);
    expect(() =>
      checkResponse(
        fake(201, { token: "t", user: { ...Object.fromEntries(USER_KEYS.map((k) => [k, 1])), role: "admin" } }),
        201,
      ),
    ).toThrow(/admin/);
  });
});

describe("the fuzzing run as a whole", () => {
  it("sent at least 10,000 generated bodies", () => {
    expect(sentInTotal).toBeGreaterThanOrEqual(10_000);
  });
});
