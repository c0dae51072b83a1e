import { defineConfig } from "vitest/config";

/**
 * Files that time the service itself (the restart after SIGKILL must be ready within 3 s): they
 * run after the others, alone, so that no other file's bcrypt or PGlite work is on the cores.
 */
const ALONE = ["test/crash-restart.test.ts"];

export default defineConfig({
  test: {
    environment: "node",
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // 2 cores: one file per core keeps bcrypt and PGlite from starving each other.
    maxWorkers: 2,
    typecheck: { enabled: false },
    projects: [
      {
        extends: true,
        test: {
          name: "suite",
          include: ["src/**/*.test.ts", "test/**/*.test.ts", "web/src/**/*.test.ts"],
          exclude: ALONE,
        },
      },
      { extends: true, test: { name: "alone", include: ALONE, sequence: { groupOrder: 1 } } },
    ],
  },
});
