import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SKIP_POSTGRES_REASON, TEST_DATABASE_URL, TEST_ENGINES, uniqueEmail } from "../../test/helpers.js";
import type { Database } from "../db/index.js";
import { migrateToLatest } from "../db/index.js";
import { AppError } from "../errors.js";
import { createUserRepository, type NewUser, type UserRepository } from "./users.repository.js";

function newUser(overrides: Partial<NewUser> = {}): NewUser {
  return {
    email: uniqueEmail(),
    name: "Ada Lovelace",
    firstName: "Ada",
    lastName: "Lovelace",
    passwordHash: "$2b$04$x",
    ...overrides,
  };
}

// One contract, run against every engine the service supports.
describe.each(TEST_ENGINES)("UserRepository on $name", (engine) => {
  let database: Database;
  let users: UserRepository;

  beforeAll(async () => {
    database = await engine.open();
    await migrateToLatest(database.kysely);
    users = createUserRepository(database.kysely);
  });
  afterAll(() => database?.close());

  it("stores a user with a database-made UUID, role user and timestamps", async () => {
    const before = Date.now();
    const row = await users.createUser(newUser({ email: "stored@example.com".replace("stored", crypto.randomUUID()) }));
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row.role).toBe("user");
    expect(new Date(row.created_at).getTime()).toBeGreaterThanOrEqual(before - 5000);
    expect(await users.findUserById(row.id)).toEqual(row);
  });

  it("finds a user by e-mail in any case", async () => {
    const row = await users.createUser(newUser());
    expect((await users.findUserByEmail(row.email.toUpperCase()))?.id).toBe(row.id);
  });

  it("returns undefined for unknown e-mails and ids, and for ids that are not UUIDs", async () => {
    expect(await users.findUserByEmail(uniqueEmail())).toBeUndefined();
    expect(await users.findUserById(crypto.randomUUID())).toBeUndefined();
    expect(await users.findUserById("not-a-uuid")).toBeUndefined();
  });

  it("throws EMAIL_TAKEN when the e-mail differs only by case, and stores nothing", async () => {
    const email = uniqueEmail();
    await users.createUser(newUser({ email }));
    const error = await users.createUser(newUser({ email: email.toUpperCase() })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("EMAIL_TAKEN");
    const count = await database.kysely
      .selectFrom("users")
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .where("email", "in", [email, email.toUpperCase()])
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
  });

  it("writes a user with its companion rows in one statement, or nothing at all when one of them fails", async () => {
    const { eventForNewUser } = await import("../events/events.js");
    const client = { ip: "192.0.2.1", userAgent: "vitest" };
    const made = await users.createUserWith(newUser(), [eventForNewUser("user.registered", client)]);
    expect(made.session_id).toBeNull();
    const { rows } = await sql<{ type: string; ip: string }>`
      select type, ip from security_events where user_id = ${made.id}`.execute(database.kysely);
    expect(rows).toEqual([{ type: "user.registered", ip: "192.0.2.1" }]);

    const lost = newUser();
    const broken = sql`insert into security_events (user_id, type) select id, null from new_user`; // NOT NULL
    await expect(users.createUserWith(lost, [eventForNewUser("user.registered", client), broken])).rejects.toThrow();
    expect(await users.findUserByEmail(lost.email)).toBeUndefined();
    await expect(users.createUserWith(newUser({ email: made.email.toUpperCase() }), [])).rejects.toMatchObject({
      code: "EMAIL_TAKEN",
    });
  });

  it("keeps working after a failed statement (PGlite adapter regression)", async () => {
    const email = uniqueEmail();
    await users.createUser(newUser({ email }));
    await expect(users.createUser(newUser({ email }))).rejects.toThrow();
    expect((await users.createUser(newUser())).id).toBeTruthy();
  });

  it("updates a password hash only when it is still the one read", async () => {
    const row = await users.createUser(newUser({ passwordHash: "$2b$04$old" }));
    expect(await users.updatePasswordHash(row.id, "$2b$04$other", "$2b$12$new")).toBe(false);
    expect(await users.updatePasswordHash(row.id, "$2b$04$old", "$2b$12$new")).toBe(true);
    expect((await users.findUserById(row.id))?.password_hash).toBe("$2b$12$new");
  });

  it("sets a role by e-mail, and says when no user has it", async () => {
    const row = await users.createUser(newUser());
    expect((await users.setRole(row.email, "admin"))?.role).toBe("admin");
    expect(await users.setRole(uniqueEmail(), "admin")).toBeUndefined();
  });

  it("refuses a role outside user/admin (CHECK constraint)", async () => {
    const row = await users.createUser(newUser());
    await expect(users.setRole(row.email, "root" as "admin")).rejects.toThrow();
  });
});

describe.skipIf(TEST_DATABASE_URL)(`UserRepository on the PostgreSQL server (${SKIP_POSTGRES_REASON})`, () => {
  it("is skipped without TEST_DATABASE_URL", () => {
    expect(TEST_DATABASE_URL).toBeUndefined();
  });
});
