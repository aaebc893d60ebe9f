import type { Db } from "@tandem/db";
import type { Logger } from "../logger.ts";
import type { AnyJobDefinition } from "./define-job.ts";
import type { JobRegistry } from "./registry.ts";

/** What every job handler gets besides its run info. Extend it as jobs need more (realtime, keyring…). */
export interface AppJobDeps {
  db: Db;
  log: Logger;
}

/**
 * Every job of the app. The web server (embedded queue) and the worker (BullMQ) both register this
 * list, so they run the same handlers. Each area adds its definitions here.
 */
export const allJobs: AnyJobDefinition<AppJobDeps>[] = [];

export function registerAllJobs(registry: JobRegistry<AppJobDeps>): JobRegistry<AppJobDeps> {
  return registry.register(...allJobs);
}
