import { readdirSync } from "node:fs";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { migrateToLatest } from "../src/db/index.js";
import { openPglite } from "../src/db/pglite.js";
import { openPostgres } from "../src/db/postgres.js";
import { createServerDatabase, SKIP_POSTGRES_REASON, TEST_DATABASE_URL } from "./helpers.js";

/** Every migration file, in the order they apply. */
const MIGRATIONS = readdirSync(new URL("../src/db/migrations/", import.meta.url))
  .filter((file) => file.endsWith(".sql"))
  .sort()
  .map((file) => file.replace(/\.sql$/, ""));

describe("migrations", () => {
  it("are numbered 0001, 0002, … without gaps or duplicates", () => {
    expect(MIGRATIONS[0]).toBe("0001_create_users");
    expect(MIGRATIONS.map((name) => name.slice(0, 4))).toEqual(
      MIGRATIONS.map((_, i) => String(i + 1).padStart(4, "0")),
    );
  });

  it("apply once on PGlite and are a no-op the second time", async () => {
    const database = await openPglite({ dataDir: undefined });
    try {
      expect(await migrateToLatest(database.kysely)).toEqual(MIGRATIONS);
      expect(await migrateToLatest(database.kysely)).toEqual([]);
    } finally {
      await database.close();
    }
  });

  describe.skipIf(!TEST_DATABASE_URL)(
    `on the PostgreSQL server ${TEST_DATABASE_URL ? "" : `(${SKIP_POSTGRES_REASON})`}`,
    () => {
      it.each([1, 2, 3])(
        "two migrators racing on an empty database both succeed, and apply each migration once (run %i)",
        async () => {
          const server = await createServerDatabase(TEST_DATABASE_URL as string);
          const a = openPostgres({ url: server.url, poolMax: 2, timeoutMs: 10_000 });
          const b = openPostgres({ url: server.url, poolMax: 2, timeoutMs: 10_000 });
          try {
            const [appliedA, appliedB] = await Promise.all([migrateToLatest(a.kysely), migrateToLatest(b.kysely)]);
            expect([...appliedA, ...appliedB].sort()).toEqual(MIGRATIONS);
            const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(a.kysely);
            expect(rows.map((r) => r.name)).toEqual(MIGRATIONS);
            const index = await sql`select 1 from pg_indexes where indexname = 'users_email_key'`.execute(a.kysely);
            expect(index.rows).toHaveLength(1);
          } finally {
            await a.close();
            await b.close();
            await server.drop();
          }
        },
      );
    },
  );
});
