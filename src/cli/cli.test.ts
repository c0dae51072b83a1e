import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { promisify } from "node:util";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createServerDatabase,
  newUserBody,
  SKIP_POSTGRES_REASON,
  silentLogger,
  TEST_DATABASE_URL,
  TEST_JWT_SECRET,
  tempDir,
  testConfig,
} from "../../test/helpers.js";
import { createPortico, type Portico } from "../portico.js";
import { runMigrate } from "./migrate.js";
import type { CliIo } from "./run.js";
import { runUserCommand } from "./user.js";

const run = promisify(execFile);

/** Output of one command, as lines. */
function capture(): CliIo & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (line) => stdout.push(line), err: (line) => stderr.push(line) };
}

const baseEnv = { NODE_ENV: "test", JWT_SECRET: TEST_JWT_SECRET, BCRYPT_COST: "4", LOG_LEVEL: "silent" };

describe("operator commands on embedded PGlite (DATA_DIR)", () => {
  const dataDir = tempDir("portico-cli-");
  const env = { ...baseEnv, DATA_DIR: dataDir };
  const user = newUserBody();

  beforeAll(async () => {
    const portico = await createPortico(testConfig({ DATA_DIR: dataDir }), silentLogger());
    try {
      expect((await request(portico.app).post("/api/v1/auth/register").send(user)).status).toBe(201);
    } finally {
      await portico.close();
    }
  });

  it("npm run migrate applies the migrations once, then says the schema is up to date", async () => {
    const fresh = { ...baseEnv, DATA_DIR: tempDir("portico-cli-migrate-") };
    const first = capture();
    expect(await runMigrate(fresh, first)).toBe(0);
    const migrations = readdirSync(new URL("../db/migrations/", import.meta.url))
      .filter((f) => f.endsWith(".sql"))
      .sort()
      .map((f) => f.replace(/\.sql$/, ""));
    expect(migrations[0]).toBe("0001_create_users");
    expect(first.stdout).toEqual([`applied: ${migrations.join(", ")}`]);
    const again = capture();
    expect(await runMigrate(fresh, again)).toBe(0);
    expect(again.stdout).toEqual(["already up to date"]);
  });

  it("refuses, with a clear error, while a server holds the DATA_DIR", async () => {
    const portico = await createPortico(testConfig({ DATA_DIR: dataDir }), silentLogger());
    try {
      const io = capture();
      expect(await runUserCommand(["promote", user.email], env, io)).toBe(1);
      expect(io.stderr.join("\n")).toMatch(
        /^user: cannot open the database: DATA_DIR .* is in use by another Portico process/,
      );
    } finally {
      await portico.close();
    }
  });

  it("npm run user -- promote <email> makes an admin; exit codes 0, 1 and 2", { timeout: 60_000 }, async () => {
    const childEnv = { ...process.env, ...env };
    const promoted = await run("npm", ["run", "--silent", "user", "--", "promote", user.email], { env: childEnv });
    expect(promoted.stdout.trim()).toBe(`${user.email} is now an admin (1 session ended)`);

    const unknown = await run("npm", ["run", "--silent", "user", "--", "promote", "nobody@example.com"], {
      env: childEnv,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(unknown).toMatchObject({ code: 1, stderr: "user: no user with the e-mail nobody@example.com\n" });

    const usage = await run("npm", ["run", "--silent", "user", "--", "promote"], { env: childEnv }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(usage).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^Usage: npm run user -- <command> <email>/),
    });

    const portico = await createPortico(testConfig({ DATA_DIR: dataDir }), silentLogger());
    try {
      const login = await request(portico.app).post("/api/v1/auth/login").send(user);
      expect(login.body.user).toMatchObject({ role: "admin", isAdmin: true });
    } finally {
      await portico.close();
    }
  });
});

describe.skipIf(!TEST_DATABASE_URL)(
  `operator commands on a PostgreSQL server${TEST_DATABASE_URL ? "" : ` (${SKIP_POSTGRES_REASON})`}`,
  () => {
    let server: Awaited<ReturnType<typeof createServerDatabase>>;
    let portico: Portico;
    let env: Record<string, string>;

    beforeAll(async () => {
      server = await createServerDatabase(TEST_DATABASE_URL as string);
      env = { ...baseEnv, DATABASE_URL: server.url };
    });

    afterAll(async () => {
      await portico?.close();
      await server?.drop();
    });

    it("says to migrate first when the database is empty", async () => {
      const empty = await createServerDatabase(TEST_DATABASE_URL as string);
      try {
        const io = capture();
        expect(await runUserCommand(["promote", "ada@example.com"], { ...env, DATABASE_URL: empty.url }, io)).toBe(1);
        expect(io.stderr).toEqual([
          "user: the database has no users table yet: run `npm run migrate` (or start the server) first",
        ]);
      } finally {
        await empty.drop();
      }
    });

    it("promotes and demotes by e-mail in any case, and says when nothing changes", async () => {
      portico = await createPortico(testConfig({ DATABASE_URL: server.url }), silentLogger());
      const user = newUserBody();
      expect((await request(portico.app).post("/api/v1/auth/register").send(user)).status).toBe(201);

      const promote = capture();
      expect(await runUserCommand(["promote", `  ${user.email.toUpperCase()} `], env, promote)).toBe(0);
      expect(promote.stdout).toEqual([`${user.email} is now an admin (1 session ended)`]);
      const login = await request(portico.app).post("/api/v1/auth/login").send(user);
      expect(login.body.user).toMatchObject({ role: "admin", isAdmin: true });
      const me = await request(portico.app).get("/api/v1/auth/me").set("Authorization", `Bearer ${login.body.token}`);
      expect(me.body.user).toMatchObject({ role: "admin", isAdmin: true });

      const again = capture();
      expect(await runUserCommand(["promote", user.email], env, again)).toBe(0);
      expect(again.stdout).toEqual([`${user.email} is already an admin`]);

      const demote = capture();
      expect(await runUserCommand(["demote", user.email], env, demote)).toBe(0);
      expect(demote.stdout).toEqual([`${user.email} is now a plain user (1 session ended)`]);
      // The admin's token must not outlive the role: demoted, it is refused.
      const stale = await request(portico.app)
        .get("/api/v1/auth/me")
        .set("Authorization", `Bearer ${login.body.token}`);
      expect(stale.status).toBe(401);
      const after = await request(portico.app).post("/api/v1/auth/login").send(user);
      expect(after.body.user).toMatchObject({ role: "user", isAdmin: false });
    });

    it("revoke-sessions signs a user out everywhere and says how many sessions ended", async () => {
      portico ??= await createPortico(testConfig({ DATABASE_URL: server.url }), silentLogger());
      const user = newUserBody();
      const a = await request(portico.app).post("/api/v1/auth/register").send(user);
      const b = await request(portico.app).post("/api/v1/auth/login").send(user);
      const io = capture();
      expect(await runUserCommand(["revoke-sessions", user.email], env, io)).toBe(0);
      expect(io.stdout).toEqual([`${user.email}: 2 sessions ended`]);
      for (const token of [a.body.token, b.body.token]) {
        const me = await request(portico.app).get("/api/v1/auth/me").set("Authorization", `Bearer ${token}`);
        expect(me.status).toBe(401);
      }
      const login = await request(portico.app).post("/api/v1/auth/login").send(user);
      expect(login.status).toBe(200);
    });

    it("fails clearly: unknown e-mail (1), unknown command or missing e-mail (2), bad settings (2), no database (1)", async () => {
      expect(await runMigrate(env, capture())).toBe(0);
      const unknown = capture();
      expect(await runUserCommand(["promote", "nobody@example.com"], env, unknown)).toBe(1);
      expect(unknown.stderr).toEqual(["user: no user with the e-mail nobody@example.com"]);

      const command = capture();
      expect(await runUserCommand(["delete", "ada@example.com"], env, command)).toBe(2);
      expect(command.stderr[0]).toMatch(/^user: unknown command "delete"/);
      expect(await runUserCommand(["demote"], env, capture())).toBe(2);
      expect(await runUserCommand([], env, capture())).toBe(2);
      const help = capture();
      expect(await runUserCommand(["--help"], env, help)).toBe(0);
      expect(help.stdout[0]).toMatch(/^Usage:/);

      const config = capture();
      expect(
        await runUserCommand(["promote", "a@example.com"], { ...env, DATABASE_URL: "mysql://x@h/db" }, config),
      ).toBe(2);
      expect(config.stderr[0]).toMatch(/DATABASE_URL must be a postgres/);

      const down = capture();
      const nowhere = { ...env, DATABASE_URL: "postgres://postgres:hunter2@127.0.0.1:1/none" };
      expect(await runMigrate(nowhere, down)).toBe(1);
      expect(down.stderr[0]).toMatch(/^migrate: cannot reach the database: .*connect ECONNREFUSED/);
      expect(down.stderr.join("\n")).not.toContain("hunter2");
    });
  },
);
