import type { z } from "zod";
import type { Logger } from "../logger.ts";
import { type BackoffPolicy, DEFAULT_BACKOFF } from "./backoff.ts";
import { InvalidJobPayloadError } from "./errors.ts";

/** What the queue adds to the app's dependencies for one run of one job. */
export interface JobRunInfo {
  /** The queue's id of this job (what `enqueue` returned). */
  jobId: string;
  /** The deduplication key given at enqueue, if any. */
  jobKey: string | null;
  name: string;
  /** 1-based number of this attempt. */
  attempt: number;
  maxAttempts: number;
  /** Child logger bound to the job's name, id and attempt. */
  log: Logger;
  /** Aborted when the process stops before the job finished (the job goes back to the queue). */
  signal: AbortSignal;
}

/**
 * The second argument of a handler: the app-level dependencies given to the queue at construction
 * (`{ db, log, … }`) merged with this run's info. The run info wins on `log`.
 */
export type JobContext<TDeps extends object = object> = Omit<TDeps, keyof JobRunInfo> & JobRunInfo;

export interface RetryPolicy {
  /** Total attempts, the first included. */
  attempts: number;
  backoff: BackoffPolicy;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, backoff: DEFAULT_BACKOFF };

export interface JobSpec<TSchema extends z.ZodType<unknown, object>, TDeps extends object> {
  /** kebab-case verb-noun: `process-inbound-event`, `generate-bot-reply`. */
  name: string;
  /** Validates the payload at enqueue and again before the handler runs. Payloads are JSON objects. */
  schema: TSchema;
  handle: (payload: z.output<TSchema>, ctx: JobContext<TDeps>) => Promise<void> | void;
  retry?: { attempts?: number; backoff?: Partial<BackoffPolicy> };
  /**
   * Housekeeping that belongs to no workspace (`database-maintenance`): enqueued without a
   * `workspaceId`, listed to operators only. Every other job is enqueued with the workspace it
   * works for. Default false.
   */
  system?: boolean;
  /** Jobs of this name run at most this many at a time per process (the name's slots). Default 1. */
  concurrency?: number;
  /**
   * Of those slots, at most this many hold jobs of one workspace at a time (per process), so one
   * busy workspace or one slow provider leaves the rest to the others. Default: `concurrency` (no
   * cap; the embedded queue still gives a free slot to the workspace with the fewest running first).
   */
  workspaceConcurrency?: number;
  /**
   * Enrichment nobody waits for (a contact's profile, a conversation summary): on the embedded
   * database its queries yield to the pipeline's (`inBackground`). Default false.
   */
  background?: boolean;
}

/**
 * A job, defined once and shared by producers (`queue.enqueue(def, payload)`, typed by `TInput`)
 * and consumers (`handle`, typed by `TPayload`). All queue settings of a job live here.
 */
export interface JobDefinition<TPayload = unknown, TDeps extends object = object, TInput = TPayload> {
  readonly name: string;
  readonly schema: z.ZodType<TPayload, TInput>;
  readonly retry: RetryPolicy;
  readonly system: boolean;
  readonly concurrency: number;
  readonly workspaceConcurrency: number;
  readonly background: boolean;
  readonly handle: (payload: TPayload, ctx: JobContext<TDeps>) => Promise<void> | void;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds definitions of every payload type
export type AnyJobDefinition<TDeps extends object = object> = JobDefinition<any, TDeps, any>;

const JOB_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Define a job. The deps type is inferred from the handler's annotation
 * (`handle: async (payload, ctx: JobContext<AppJobDeps>) => …`); unannotated handlers see only the run info.
 */
export function defineJob<TSchema extends z.ZodType<unknown, object>, TDeps extends object = object>(
  spec: JobSpec<TSchema, TDeps>,
): JobDefinition<z.output<TSchema>, TDeps, z.input<TSchema>> {
  if (!JOB_NAME.test(spec.name)) throw new Error(`Job name "${spec.name}" must be kebab-case (verb-noun)`);
  const attempts = spec.retry?.attempts ?? DEFAULT_RETRY.attempts;
  const concurrency = spec.concurrency ?? 1;
  const workspaceConcurrency = spec.workspaceConcurrency ?? concurrency;
  if (!Number.isInteger(attempts) || attempts < 1) throw new Error(`Job "${spec.name}": retry.attempts must be ≥ 1`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`Job "${spec.name}": concurrency must be ≥ 1`);
  if (!Number.isInteger(workspaceConcurrency) || workspaceConcurrency < 1 || workspaceConcurrency > concurrency)
    throw new Error(`Job "${spec.name}": workspaceConcurrency must be between 1 and concurrency`);
  return Object.freeze({
    name: spec.name,
    schema: spec.schema as unknown as z.ZodType<z.output<TSchema>, z.input<TSchema>>,
    retry: { attempts, backoff: { ...DEFAULT_RETRY.backoff, ...spec.retry?.backoff } },
    system: spec.system ?? false,
    concurrency,
    workspaceConcurrency,
    background: spec.background ?? false,
    handle: spec.handle,
  });
}

/** Validate a payload against a definition; throws `InvalidJobPayloadError` (never retried). */
export function parsePayload<TPayload>(
  def: { name: string; schema: z.ZodType<TPayload, unknown> },
  payload: unknown,
): TPayload {
  const result = def.schema.safeParse(payload);
  if (!result.success) throw new InvalidJobPayloadError(def.name, result.error.issues);
  return result.data;
}
