/**
 * Builds what is stale (as `npm start` would: the dashboard, the compiled server), starts one server
 * for the whole run and hands its URL to the workers through E2E_BASE_URL. With E2E_BASE_URL already
 * set, the suite runs against that server instead.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { chromiumLaunchOptions } from "./browser.ts";
import { REPO_ROOT, startServer } from "./server.ts";

export default async function globalSetup(): Promise<(() => Promise<void>) | undefined> {
  chromiumLaunchOptions();
  const build = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/ensure-web-build.mjs")], {
    cwd: REPO_ROOT,
    stdio: "inherit",
  });
  if (build.status !== 0) throw new Error("Building the dashboard or the server failed (see above).");
  if (process.env.E2E_BASE_URL) return undefined;

  const server = await startServer();
  process.env.E2E_BASE_URL = server.url;
  console.log(`[e2e] server ready at ${server.url} (DATA_DIR ${server.dataDir}, log ${server.logFile})`);
  return async () => {
    if (process.env.E2E_SERVER_OUTPUT === "1") console.log(server.output());
    await server.stop();
  };
}
