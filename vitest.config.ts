import { defineConfig } from "vitest/config";

/**
 * `*.test.ts`: unit and API tests on in-memory PGlite. `*.int.test.ts`: integration tests against
 * real PostgreSQL and Redis servers that the tests start themselves. Browser tests live in
 * tests/e2e and run with their own runner.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    pool: "forks",
    globalSetup: ["./tests/support/global-setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["packages/**/*.test.ts", "apps/**/*.test.ts", "tests/support/**/*.test.ts"],
          exclude: ["**/*.int.test.ts", "**/node_modules/**"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["packages/**/*.int.test.ts", "apps/**/*.int.test.ts", "tests/support/**/*.int.test.ts"],
          exclude: ["**/node_modules/**"],
          fileParallelism: false,
        },
      },
    ],
  },
});
