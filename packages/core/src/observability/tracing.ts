import {
  type Attributes,
  type Context,
  context,
  INVALID_SPAN_CONTEXT,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from "@opentelemetry/api";
import { setQueryObserver } from "@tandem/db";
import { scrubText } from "./scrub.ts";

/**
 * OpenTelemetry traces, on only when `OTEL_EXPORTER_OTLP_ENDPOINT` is set. The SDK and the OTLP
 * exporter are imported then and only then; without them every span below comes from the API's
 * no-op tracer, and database queries are not wrapped at all.
 *
 * What goes into a span: names, ids (workspace, conversation, job, message), route templates,
 * statuses and parameterised SQL. Never message text, tokens, keys, cookies or query parameters —
 * the observability tests look for them in every exported attribute.
 */
export const tracer = trace.getTracer("tandem");

export interface TracingOptions {
  /** The collector's base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); spans go to `{endpoint}/v1/traces`. */
  endpoint: string;
  /** `tandem-web` or `tandem-worker`. */
  serviceName: string;
  version: string;
}

export interface Tracing {
  /** Exports what is buffered now. */
  flush(): Promise<void>;
  /** Flushes, then unregisters the global tracer provider and propagator. */
  shutdown(): Promise<void>;
}

let enabled = false;

/** Whether a tracer provider is installed (spans are recorded and exported). */
export const tracingEnabled = () => enabled;

export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const [{ NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] =
    await Promise.all([
      import("@opentelemetry/sdk-trace-node"),
      import("@opentelemetry/exporter-trace-otlp-http"),
      import("@opentelemetry/resources"),
    ]);
  const exporter = new OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, "")}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      "service.name": options.serviceName,
      "service.version": options.version,
      "service.namespace": "tandem",
    }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Registers the tracer provider, the AsyncLocalStorage context manager and W3C trace context.
  provider.register();
  setQueryObserver(traceQuery);
  enabled = true;
  return {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      enabled = false;
      setQueryObserver(null);
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** Runs `fn` in a new active span; an error thrown is recorded on it and rethrown. */
export async function withSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes },
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  if (!enabled) return fn(trace.wrapSpanContext(INVALID_SPAN_CONTEXT));
  return tracer.startActiveSpan(name, options, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed with the error's class and message, tokens cut out (no stack, no cause). */
export function recordError(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException({ name: err.name, message: scrubText(err.message).slice(0, 500) });
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.name });
}

/** W3C `traceparent` / `tracestate` of the active span, for a job to carry; empty without tracing. */
export function currentTraceCarrier(): Record<string, string> {
  if (!enabled) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The context a carrier (HTTP headers, a job's trace field) names. */
export function contextFromCarrier(carrier: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, carrier);
}

/**
 * A database span per statement run within a trace: the operation, the table and the statement with its literals
 * replaced by `?` (Drizzle sends values as parameters, which are never recorded).
 */
async function traceQuery<T>(statement: string, run: () => Promise<T>): Promise<T> {
  // Only inside a request's or a job's trace: the queue's polling and housekeeping make no traces of their own.
  if (!trace.getSpan(context.active())) return run();
  const operation = /^\s*(\w+)/.exec(statement)?.[1]?.toUpperCase() ?? "QUERY";
  const table = /\b(?:from|into|update|join)\s+"?([a-z_][a-z0-9_]*)"?/i.exec(statement)?.[1];
  return withSpan(
    table ? `${operation} ${table}` : operation,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "db.system.name": "postgresql",
        "db.operation.name": operation,
        ...(table ? { "db.collection.name": table } : {}),
        "db.query.text": sanitizeSql(statement),
      },
    },
    run,
  );
}

/** Strings and numbers written into SQL by hand become `?`; long statements are cut. */
export function sanitizeSql(statement: string): string {
  return statement
    .replace(/'(?:[^']|'')*'/g, "?")
    .replace(/\$\w*\$[\s\S]*?\$\w*\$/g, "?")
    .replace(/\b\d+(?:\.\d+)?\b/g, (n, offset, s) => (s[offset - 1] === "$" ? n : "?"))
    .replace(/\s+/g, " ")
    .slice(0, 2000);
}

export { context as otelContext, SpanKind, SpanStatusCode, trace as otelTrace };
