import {
  type AppJobDeps,
  appJobDeps,
  type Config,
  createJobQueue,
  createRuntime,
  type JobQueue,
  JobRegistry,
  type Logger,
  needsSetup,
  type Runtime,
  registerAllJobs,
  seedDemo,
} from "@tandem/core";
import { recoverInboundEvents } from "@tandem/core/inbound/recover-inbound-events";
import { scheduleDatabaseMaintenance } from "@tandem/core/maintenance/database-maintenance";

export interface StartedRuntime {
  runtime: Runtime;
  queue: JobQueue;
  demo: { logins: { email: string; role: string }[] } | null;
}

/**
 * Database (migrated), secrets, queue and demo data. Embedded mode runs every job in this process;
 * with REDIS_URL this process only enqueues and `apps/worker` runs the jobs (unless RUN_JOBS=1).
 */
export async function startRuntime(config: Config, log: Logger): Promise<StartedRuntime> {
  const runtime = await createRuntime(config, { log });
  const registry = registerAllJobs(new JobRegistry<AppJobDeps>());
  const queue = createJobQueue<AppJobDeps>({
    redisUrl: config.redisUrl,
    db: runtime.database.db,
    registry,
    deps: appJobDeps(runtime),
    log,
  });
  runtime.queue = queue;
  if (!config.redisUrl || config.runJobs) await queue.start();
  // Webhook events stored but never processed (the process died after the 200) go back to the queue.
  await recoverInboundEvents({ db: runtime.database.db, log, queue });
  // Hourly housekeeping (old webhook entries; vacuum on the embedded database), one job per hour slot.
  await scheduleDatabaseMaintenance(queue);

  let demo: StartedRuntime["demo"] = null;
  const seedOptions = {
    password: config.demoPassword,
    keyring: runtime.keyring,
    // The simulator is mounted at /_simulator when on; the demo's OpenAI-compatible credential points there.
    simulatorUrl: config.simulator ? `${config.appUrl}/_simulator` : undefined,
  };
  if (config.demoSeed && (await needsSetup(runtime.database.db))) {
    const result = await seedDemo(runtime.database.db, seedOptions);
    log.info({ workspaceId: result.workspaceId }, "seeded the demo workspace");
    demo = result;
  } else if (config.demoSeed) {
    const result = await seedDemo(runtime.database.db, seedOptions);
    if (!result.created && result.workspaceId) demo = result;
  }
  return { runtime, queue, demo };
}
