import { ConfigError, createLogger, createWorkerRuntime, loadConfig, loadDotEnv } from "@tandem/core";

/**
 * The BullMQ worker of the scaled deployment (REDIS_URL set): runs the same job handlers as the
 * embedded queue of the web process. On SIGTERM/SIGINT it stops taking jobs, lets running ones
 * finish for up to STOP_TIMEOUT_MS, returns the rest to the queue, closes its connections and exits 0.
 */
const STOP_TIMEOUT_MS = 20_000; // inside the usual 30 s grace period of Docker and Kubernetes

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  loadDotEnv();
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const log = createLogger({ level: config.logLevel, name: "tandem-worker" });
  const worker = await createWorkerRuntime(config, { log });

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting without waiting for jobs");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "stopping worker");
    try {
      const { returned } = await worker.stop({ timeoutMs: STOP_TIMEOUT_MS });
      log.info({ returned }, "worker stopped");
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, "worker did not stop cleanly");
      process.exit(1);
    }
  };
  process.on("SIGTERM", (signal) => void shutdown(signal));
  process.on("SIGINT", (signal) => void shutdown(signal));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
