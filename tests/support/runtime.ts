import { mkdtempSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type AppJobDeps,
  appJobDeps,
  type Config,
  createJobQueue,
  createRuntime,
  generateKey,
  type JobQueue,
  JobRegistry,
  loadConfig,
  type Runtime,
  registerAllJobs,
  silentLogger,
} from "@tandem/core";
import { createDb, migrate } from "@tandem/db";

/**
 * A runtime on a fresh in-memory PGlite for one test file. When the global setup has prepared a
 * migrated template (TANDEM_PGLITE_TEMPLATE), it is loaded instead of migrating again.
 */
export async function createTestRuntime(env: Record<string, string> = {}): Promise<Runtime> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "tandem-test-"));
  const config: Config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: dataDir,
    APP_URL: "http://localhost:3000",
    ENCRYPTION_KEY: generateKey(),
    AUTH_SECRET: "test-auth-secret-test-auth-secret-0123456789",
    LOG_LEVEL: "silent",
    // The simulator's fakes listen on 127.0.0.1; tests of the outbound guard set "0".
    OUTBOUND_ALLOW_PRIVATE: "1",
    ...env,
  });
  const template = process.env.TANDEM_PGLITE_TEMPLATE;
  const database = template ? await createDb({ loadDataDir: new Blob([await readFile(template)]) }) : await createDb();
  await migrate(database);
  return createRuntime(config, { database, log: silentLogger });
}

/** The embedded job queue with every job of the app, attached to `runtime` (not started: call `start()`). */
export function attachTestQueue(runtime: Runtime): JobQueue {
  const queue = createJobQueue<AppJobDeps>({
    db: runtime.database.db,
    registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
    deps: appJobDeps(runtime),
    log: silentLogger,
  });
  runtime.queue = queue;
  return queue;
}
