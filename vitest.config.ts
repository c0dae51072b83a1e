import { defineConfig } from "vitest/config";

/**
 * Files that time the service itself (the restart after SIGKILL must be ready within 3 s; a forgot-
 * password request takes as long for a known as for an unknown address): they run after the
 * others, each alone, so that no other file's bcrypt or PGlite work is on the cores.
 */
const ALONE = ["test/crash-restart.test.ts", "test/forgot-password-timing.test.ts"];

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
      // One group per file, one after the other: not even each other on the cores.
      ...ALONE.map((file, i) => ({
        extends: true as const,
        test: { name: `alone-${i + 1}`, include: [file], sequence: { groupOrder: i + 1 } },
      })),
    ],
  },
});
