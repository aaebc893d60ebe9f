import type { Db } from "@tandem/db";
import type { ChannelRegistry } from "./channels/registry.ts";
import type { Config } from "./config.ts";
import type { JobQueue } from "./jobs/queue.ts";
import type { Logger } from "./logger.ts";
import type { RateLimiter } from "./rate-limit/limiter.ts";
import type { RealtimePublisher } from "./realtime.ts";
import type { Runtime } from "./runtime.ts";
import type { Keyring } from "./secrets/keyring.ts";

/**
 * What every job handler gets besides its run info: the process's runtime pieces. `queue` lets a
 * job enqueue the next step of the pipeline (inbound event → bot reply → send).
 */
export interface AppJobDeps {
  db: Db;
  log: Logger;
  config: Config;
  keyring: Keyring;
  realtime: RealtimePublisher;
  limiter: RateLimiter;
  /** The channel adapters (`channels/registry.ts`). */
  channels: ChannelRegistry;
  queue: JobQueue;
}

/** Builds the deps from a runtime; the queue is attached once it exists (it needs the deps itself). */
export function appJobDeps(runtime: Runtime): AppJobDeps {
  const deps = {
    db: runtime.database.db,
    log: runtime.log,
    config: runtime.config,
    keyring: runtime.keyring,
    realtime: runtime.realtime,
    limiter: runtime.limiter,
    channels: runtime.channels,
  } as Omit<AppJobDeps, "queue"> as AppJobDeps;
  Object.defineProperty(deps, "queue", {
    enumerable: true,
    get: () => {
      if (!runtime.queue) throw new Error("the job queue is not attached to the runtime yet");
      return runtime.queue;
    },
  });
  return deps;
}
