import request from "supertest";
import { afterAll, describe, expect, it } from "vitest";
import { openPostgres } from "../src/db/postgres.js";
import { assemblePortico } from "../src/portico.js";
import { newUserBody, silentLogger, testConfig } from "./helpers.js";
import { usePortico } from "./use-portico.js";

const REGISTER = "/api/v1/auth/register";
const opened: { close(): Promise<void> }[] = [];
afterAll(async () => {
  for (const o of opened) await o.close();
});

const instances = usePortico({ shared: false });
const portico = (env: Record<string, string> = {}) => instances.open(env);

describe("API under faults", () => {
  it("answers 503 OVERLOADED with Retry-After when the hashing queue is full", async () => {
    const { app } = await portico({ HASH_CONCURRENCY: "1", HASH_QUEUE_MAX: "1", BCRYPT_COST: "10" });
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => request(app).post(REGISTER).send(newUserBody())),
    );
    const overloaded = responses.filter((r) => r.status === 503);
    expect(responses.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(2);
    expect(overloaded.length).toBeGreaterThanOrEqual(1);
    for (const res of overloaded) {
      expect(res.body).toMatchObject({ statusCode: 503, code: "OVERLOADED", message: "Server is busy" });
      expect(Number(res.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    }
    expect(responses.every((r) => r.status === 201 || r.status === 503)).toBe(true);
  });

  it("answers 503 SERVICE_UNAVAILABLE (never 500, never a hang) when PostgreSQL cannot be reached", async () => {
    // Port 1 on loopback: nothing listens there, so every connection is refused.
    const database = openPostgres({ url: "postgres://postgres@127.0.0.1:1/none", poolMax: 2, timeoutMs: 1000 });
    opened.push(database);
    // The whole app, unmigrated (nothing could migrate it), on a database nobody can reach.
    const { app, opsApp, stop } = await assemblePortico(
      testConfig({ TRUST_PROXY: "false", DB_TIMEOUT_MS: "1000" }),
      silentLogger(),
      database,
    );
    opened.push({ close: stop });
    const started = Date.now();
    const res = await request(app).post(REGISTER).send(newUserBody());
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: "Service temporarily unavailable" });
    expect(res.headers["retry-after"]).toBeDefined();
    const ready = await request(opsApp).get("/readyz");
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ code: "SERVICE_UNAVAILABLE", checks: { database: "down" } });
  });

  it("answers 500 INTERNAL_ERROR, with no SQL or stack, when the database fails unexpectedly", async () => {
    const { app, database } = await portico();
    await database.kysely.schema.dropTable("users").cascade().execute();
    const res = await request(app).post(REGISTER).send(newUserBody());
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      error: "Internal Server Error",
      message: "Internal server error",
      statusCode: 500,
      code: "INTERNAL_ERROR",
    });
  });
});
