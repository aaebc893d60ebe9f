import { ROOT_CONTEXT } from "@opentelemetry/api";
import { contextFromCarrier, currentTraceCarrier, SpanKind, tracingEnabled, withSpan } from "./tracing.ts";

/**
 * Jobs carry the W3C trace context of whoever enqueued them (`traceparent`), so a webhook, the
 * `process-inbound-event` it caused, the `generate-bot-reply` that followed and the
 * `send-outbound-message` that answered are one trace: each `process` span is a child of the
 * `enqueue` span that created its job.
 */
export type TraceCarrier = Record<string, string>;

/**
 * A producer span around an enqueue; `fn` gets the carrier to store with the job (undefined while
 * tracing is off: nothing is stored then).
 */
export function traceEnqueue<T>(
  name: string,
  workspaceId: string | null | undefined,
  fn: (carrier: TraceCarrier | undefined) => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return fn(undefined);
  return withSpan(
    `enqueue ${name}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        "messaging.system": "tandem",
        "messaging.operation.type": "send",
        "messaging.destination.name": name,
        ...(workspaceId ? { "tandem.workspace_id": workspaceId } : {}),
      },
    },
    async () => fn(currentTraceCarrier()),
  );
}

/** The consumer span of one run, the child of the enqueue that stored `carrier` (a new trace without one). */
export function traceJobRun<T>(
  job: { name: string; jobId: string; attempt: number; workspaceId?: string | null | undefined },
  carrier: TraceCarrier | undefined,
  fn: () => Promise<T>,
): Promise<T> {
  if (!tracingEnabled()) return fn();
  return withSpan(
    `process ${job.name}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        "messaging.system": "tandem",
        "messaging.operation.type": "process",
        "messaging.destination.name": job.name,
        "messaging.message.id": job.jobId,
        "tandem.job.attempt": job.attempt,
        ...(job.workspaceId ? { "tandem.workspace_id": job.workspaceId } : {}),
      },
    },
    fn,
    carrier ? contextFromCarrier(carrier) : ROOT_CONTEXT,
  );
}

/** Where the embedded queue keeps a job's carrier: beside the payload, in the stored JSON. */
const TRACE_FIELD = "_trace";

export function withTraceField(payload: unknown, carrier: TraceCarrier | undefined): unknown {
  if (!carrier?.traceparent || typeof payload !== "object" || payload === null || Array.isArray(payload))
    return payload;
  return { ...payload, [TRACE_FIELD]: carrier };
}

/** The payload as enqueued, and the carrier stored beside it (if any). */
export function splitTraceField(stored: unknown): { payload: unknown; carrier: TraceCarrier | undefined } {
  if (typeof stored !== "object" || stored === null || !(TRACE_FIELD in stored))
    return { payload: stored, carrier: undefined };
  const { [TRACE_FIELD]: carrier, ...payload } = stored as Record<string, unknown>;
  return { payload, carrier: isCarrier(carrier) ? carrier : undefined };
}

export function isCarrier(value: unknown): value is TraceCarrier {
  return (
    typeof value === "object" &&
    value !== null &&
    Object.values(value).every((v) => typeof v === "string") &&
    typeof (value as TraceCarrier).traceparent === "string"
  );
}
