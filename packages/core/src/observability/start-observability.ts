import type { Config } from "../config.ts";
import type { Logger } from "../logger.ts";
import { type ErrorReporting, startErrorReporting } from "./error-reporting.ts";
import { startTracing, type Tracing } from "./tracing.ts";

export interface Observability {
  /** Exports buffered spans and sends queued error events now. */
  flush(): Promise<void>;
  /** Exports buffered spans and sends queued error events, then turns both off. */
  shutdown(): Promise<void>;
}

/**
 * Traces (`OTEL_EXPORTER_OTLP_ENDPOINT`) and error reports (`SENTRY_DSN`) for one process; with
 * neither set nothing is imported or started. Call it first, before the runtime opens the database.
 */
export async function startObservability(
  config: Pick<Config, "otelEndpoint" | "sentryDsn" | "env">,
  options: { serviceName: "tandem-web" | "tandem-worker"; version: string; log: Logger },
): Promise<Observability> {
  let tracing: Tracing | null = null;
  let errors: ErrorReporting | null = null;
  if (config.otelEndpoint) {
    tracing = await startTracing({
      endpoint: config.otelEndpoint,
      serviceName: options.serviceName,
      version: options.version,
    });
    options.log.info({ endpoint: new URL(config.otelEndpoint).origin }, "OpenTelemetry traces on");
  }
  if (config.sentryDsn) {
    errors = await startErrorReporting({
      dsn: config.sentryDsn,
      serviceName: options.serviceName,
      version: options.version,
      environment: config.env,
    });
    options.log.info("Sentry error reporting on");
  }
  return {
    flush: async () => {
      await Promise.all([tracing?.flush(), errors?.flush()]);
    },
    shutdown: async () => {
      await Promise.all([tracing?.shutdown(), errors?.shutdown()]);
    },
  };
}
