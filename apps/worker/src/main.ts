import {
  ConfigError,
  createLogger,
  createWorkerRuntime,
  exitProcess,
  handleShutdownSignals,
  loadConfig,
  loadDotEnv,
  serveMetrics,
  startObservability,
  VERSION,
} from "@tandem/core";

/**
 * The BullMQ worker of the scaled deployment (REDIS_URL set): runs the same job handlers as the
 * embedded queue of the web process. On SIGTERM/SIGINT it stops taking jobs, lets running ones
 * finish for up to STOP_TIMEOUT_MS, returns the rest to the queue, closes its connections and exits 0;
 * whatever happens, it exits by SHUTDOWN_DEADLINE_MS (`handleShutdownSignals`).
 */
const STOP_TIMEOUT_MS = 20_000;
/** Before the SIGKILL of the usual 30 s grace period (Kubernetes; docker-compose.yml and PM2 are set to it). */
const SHUTDOWN_DEADLINE_MS = 25_000;

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
  const observability = await startObservability(config, { serviceName: "tandem-worker", version: VERSION, log });
  const worker = await createWorkerRuntime(config, { log });
  // The worker's own series (its jobs, its LLM calls) for Prometheus; the web process has /api/metrics.
  const metrics =
    config.metricsPort && config.metricsToken
      ? await serveMetrics({
          port: config.metricsPort,
          host: config.host,
          token: config.metricsToken,
          queue: worker.queue,
          log,
        })
      : null;
  if (config.metricsPort && !config.metricsToken)
    log.warn("METRICS_PORT is set without METRICS_TOKEN: no metrics served");

  handleShutdownSignals({
    log,
    deadlineMs: SHUTDOWN_DEADLINE_MS,
    stop: async (signal) => {
      log.info({ signal }, "stopping worker");
      await metrics?.close();
      const { returned } = await worker.stop({ timeoutMs: STOP_TIMEOUT_MS });
      await observability.shutdown();
      log.info({ returned }, "worker stopped");
    },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  void exitProcess(1);
});
