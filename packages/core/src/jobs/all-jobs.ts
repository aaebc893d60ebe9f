import type { AppJobDeps } from "../app-deps.ts";
import type { AnyJobDefinition } from "./define-job.ts";
import type { JobRegistry } from "./registry.ts";

export type { AppJobDeps } from "../app-deps.ts";

/**
 * Every job of the app. The web server (embedded queue) and the worker (BullMQ) both register this
 * list, so they run the same handlers. Each area adds its definitions here.
 */
export const allJobs: AnyJobDefinition<AppJobDeps>[] = [];

export function registerAllJobs(registry: JobRegistry<AppJobDeps>): JobRegistry<AppJobDeps> {
  return registry.register(...allJobs);
}
