import path from "node:path";
import { defineConfig } from "@playwright/test";
import { chromiumLaunchOptions } from "../../tests/e2e/support/browser.ts";

/**
 * The widget alone in a real browser, against the contract-speaking fake server (test/fake-server.ts):
 * no database, no dashboard build. `npm test` runs it after the main e2e suite.
 */
export default defineConfig({
  testDir: "test",
  testMatch: "*.spec.ts",
  outputDir: path.resolve(import.meta.dirname, "../../test-results/widget"),
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    launchOptions: chromiumLaunchOptions(),
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    actionTimeout: 15_000,
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
});
