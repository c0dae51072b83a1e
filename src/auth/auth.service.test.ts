import bcrypt from "bcrypt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ENGINES, uniqueEmail } from "../../test/helpers.js";
import { type Database, migrateToLatest } from "../db/index.js";
import type { AppError } from "../errors.js";
import { createSessionRepository } from "../sessions/sessions.repository.js";
import { createSessionService, type SessionService } from "../sessions/sessions.service.js";
import { createTokenSigner } from "../sessions/tokens.js";
import { bcryptCost, createPasswordHasher } from "../users/passwords.js";
import { createUserRepository, type UserRepository } from "../users/users.repository.js";
import { loginBody, registerBody } from "./auth.schemas.js";
import { type AuthService, createAuthService } from "./auth.service.js";

const COST = 5;

describe.each(TEST_ENGINES)("auth service on $name", (engine) => {
  let database: Database;
  let users: UserRepository;
  let auth: AuthService;
  let sessions: SessionService;
  const client = { ip: "127.0.0.1", userAgent: "vitest" };
  /** These users have no second factor: login answers a session. */
  const signedIn = <T>(result: T) => result as Exclude<T, { mfaRequired: true }>;
  const authenticateToken = async (token: string | null) => (await sessions.validateToken(token ?? "")).user;
  const jobs: string[] = [];

  beforeAll(async () => {
    database = await engine.open();
    await migrateToLatest(database.kysely);
    users = createUserRepository(database.kysely);
    const passwords = createPasswordHasher({
      cost: COST,
      concurrency: 2,
      queueMax: 64,
      onJobDone: (_seconds, operation) => jobs.push(operation),
    });
    const tokens = createTokenSigner({ secret: "s".repeat(32), expiresInSeconds: 3600, issuer: "portico" });
    sessions = createSessionService({
      sessions: createSessionRepository(database.kysely),
      tokens,
      lifetimeSeconds: 3600,
    });
    auth = createAuthService({ db: database.kysely, passwords, sessions });
  });
  afterAll(() => database?.close());

  const register = (body: Record<string, unknown>) =>
    auth.registerUser(registerBody.parse({ password: "correct horse battery", ...body }), client);

  it("registers: stores a bcrypt hash (never the password) and returns a token for the user", async () => {
    const email = uniqueEmail();
    const { token, user } = await register({ email, firstName: "Ada", lastName: "Lovelace" });
    expect(user).toMatchObject({
      email,
      name: "Ada Lovelace",
      firstName: "Ada",
      lastName: "Lovelace",
      role: "user",
      isAdmin: false,
    });
    expect(user).not.toHaveProperty("passwordHash");
    const row = await users.findUserById(user.id);
    expect(row?.password_hash).not.toContain("correct horse");
    expect(bcryptCost(row?.password_hash ?? "")).toBe(COST);
    expect(await bcrypt.compare("correct horse battery", row?.password_hash ?? "")).toBe(true);
    expect((await authenticateToken(token)).id).toBe(user.id);
  });

  it("uses `name` as given, with null name parts", async () => {
    const { user } = await register({ email: uniqueEmail(), name: "Dr. Ada Lovelace" });
    expect(user).toMatchObject({ name: "Dr. Ada Lovelace", firstName: null, lastName: null });
  });

  it("refuses a duplicate before hashing: no bcrypt work is spent", async () => {
    const email = uniqueEmail();
    await register({ email, name: "Ada" });
    const before = jobs.length;
    const error = (await register({ email: email.toUpperCase(), name: "Eve" }).catch((e) => e)) as AppError;
    expect(error.code).toBe("EMAIL_TAKEN");
    expect(jobs.length).toBe(before);
  });

  it("hashes once for eight simultaneous sign-ups of one e-mail (in any case): one account, seven EMAIL_TAKEN", async () => {
    const email = uniqueEmail();
    const before = jobs.filter((op) => op === "hash").length;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        register({ email: i % 2 ? email.toUpperCase() : email, name: `Tab ${"abcdefgh"[i]}` }).then(
          (r) => r.user.name,
          (e: AppError) => e.code,
        ),
      ),
    );
    expect(results.filter((r) => r === "EMAIL_TAKEN")).toHaveLength(7);
    expect(results.filter((r) => r.startsWith("Tab "))).toHaveLength(1);
    expect(jobs.filter((op) => op === "hash").length - before).toBe(1);
  });

  it("logs in with the right password, in any e-mail case", async () => {
    const email = uniqueEmail();
    const { user } = await register({ email, name: "Ada" });
    const result = signedIn(
      await auth.loginUser(loginBody.parse({ email: email.toUpperCase(), password: "correct horse battery" }), client),
    );
    expect(result.user.id).toBe(user.id);
    expect((await authenticateToken(result.token)).email).toBe(email);
  });

  it("answers the same INVALID_CREDENTIALS for a wrong password and an unknown e-mail, with a bcrypt compare in both", async () => {
    const email = uniqueEmail();
    await register({ email, name: "Ada" });
    const wrong = (await auth.loginUser({ email, password: "not the password" }, client).catch((e) => e)) as AppError;
    const before = jobs.length;
    const unknown = (await auth
      .loginUser({ email: uniqueEmail(), password: "whatever" }, client)
      .catch((e) => e)) as AppError;
    expect(jobs.slice(before)).toContain("verify");
    expect([wrong.code, wrong.message]).toEqual(["INVALID_CREDENTIALS", "Invalid email or password"]);
    expect([unknown.code, unknown.message]).toEqual([wrong.code, wrong.message]);
  });

  it("refuses a login password over 72 bytes even when its first 72 bytes are right", async () => {
    const email = uniqueEmail();
    const password = "x1".repeat(36);
    await register({ email, name: "Ada", password });
    expect(signedIn(await auth.loginUser({ email, password }, client)).user.email).toBe(email);
    const error = (await auth.loginUser({ email, password: `${password}tail` }, client).catch((e) => e)) as AppError;
    expect(error.code).toBe("INVALID_CREDENTIALS");
  });

  it("re-hashes a hash made with a lower cost on successful login", async () => {
    const email = uniqueEmail();
    const { user } = await register({ email, name: "Ada" });
    const oldHash = await bcrypt.hash("correct horse battery", 4);
    await database.kysely.updateTable("users").set({ password_hash: oldHash }).where("id", "=", user.id).execute();
    await auth.loginUser({ email, password: "correct horse battery" }, client);
    const row = await users.findUserById(user.id);
    expect(bcryptCost(row?.password_hash ?? "")).toBe(COST);
    expect(await bcrypt.compare("correct horse battery", row?.password_hash ?? "")).toBe(true);
  });

  it("refuses a valid token whose user no longer exists", async () => {
    const { token, user } = await register({ email: uniqueEmail(), name: "Ada" });
    await database.kysely.deleteFrom("users").where("id", "=", user.id).execute();
    const error = (await authenticateToken(token).catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe("UNAUTHORIZED");
  });
});
