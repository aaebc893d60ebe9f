import { appJobDeps } from "../app-deps.ts";
import { type Config, ConfigError, routeMailToSimulator } from "../config.ts";
import type { Logger } from "../logger.ts";
import { scheduleDatabaseMaintenance } from "../maintenance/database-maintenance.ts";
import { byNamespace, realtimeNamespace } from "../realtime.ts";
import { createRuntime, type Runtime } from "../runtime.ts";
import { type AppJobDeps, registerAllJobs } from "./all-jobs.ts";
import { createBullmqJobQueue } from "./bullmq-queue.ts";
import type { JobQueue, StopResult } from "./queue.ts";
import { JobRegistry } from "./registry.ts";

export interface WorkerRuntime {
  runtime: Runtime;
  queue: JobQueue;
  /** Graceful: running jobs finish (or go back to the queue after `timeoutMs`), then connections close. */
  stop(options?: { timeoutMs?: number }): Promise<StopResult>;
}

/**
 * Everything `apps/worker` runs: the shared runtime (database migrated, secrets, realtime hub) and
 * a BullMQ queue running every registered job. The worker app never touches the database itself.
 */
export async function createWorkerRuntime(config: Config, options: { log?: Logger } = {}): Promise<WorkerRuntime> {
  const redisUrl = config.redisUrl;
  if (!redisUrl)
    throw new ConfigError(["REDIS_URL: required by the worker (without it the web process runs jobs itself)"]);
  // Development without SMTP: the web process's simulator catches mail on SIMULATOR_SMTP_PORT.
  routeMailToSimulator(config);
  const runtime = await createRuntime(config, options.log ? { log: options.log } : {});
  const log = runtime.log;
  // Socket events (and disconnects, e.g. of expired sessions) from jobs reach the web processes' Socket.IO servers through Redis.
  const { Emitter } = await import("@socket.io/redis-emitter");
  const emitter = new Emitter(runtime.redis!);
  // A widget session's room lives on the widget's namespace (`realtimeNamespace`), the others on "/".
  runtime.realtime.bind({
    emit: (room, event, payload) => emitter.of(realtimeNamespace(room)).to(room).emit(event, payload),
    disconnect: (rooms) => {
      for (const [namespace, inNamespace] of byNamespace(rooms))
        emitter.of(namespace).in(inNamespace).disconnectSockets(true);
    },
  });
  const registry = registerAllJobs(new JobRegistry<AppJobDeps>());
  const queue = createBullmqJobQueue<AppJobDeps>({
    redisUrl,
    registry,
    deps: appJobDeps(runtime),
    log,
  });
  runtime.queue = queue;
  try {
    await queue.start();
    await scheduleDatabaseMaintenance(queue);
  } catch (error) {
    await queue.stop({ timeoutMs: 0 }).catch(() => {});
    await runtime.close();
    throw error;
  }
  log.info({ jobs: registry.list().map((d) => d.name) }, "worker started");
  return {
    runtime,
    queue,
    async stop(stopOptions = {}) {
      try {
        return await queue.stop(stopOptions);
      } finally {
        await runtime.close();
      }
    },
  };
}
