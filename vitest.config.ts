import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2 cores: one file per core keeps bcrypt and PGlite from starving each other.
    maxWorkers: 2,
    typecheck: { enabled: false },
  },
});
