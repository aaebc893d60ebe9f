import type { z } from "zod";
import { DomainError } from "../errors.ts";

/**
 * How a handler tells the queue whether a failure is worth retrying. This is the one mapping from
 * errors to "retry or give up" for every job:
 *
 * - `NonRetryableError`, or any error with `retryable === false` → the job fails now, whatever
 *   attempts remain (invalid payload, resource gone, credentials revoked).
 * - `RetryableError`, or any error with `retryable === true` → retried with backoff while attempts remain.
 *   `retryAfterMs` on it (or `retryAfterSeconds` on a `DomainError`) replaces the computed backoff.
 * - A `DomainError` is an expected domain outcome, so it gives up unless it carries a retry-after
 *   (rate limits) or `retryable === true`.
 * - Any other error (network, database, bug) is assumed transient and retried.
 *
 * The flags are duck-typed so errors of other modules (LLM providers, channel adapters) can opt in
 * without importing these classes.
 */
export class RetryableError extends Error {
  readonly retryable = true;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RetryableError";
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class NonRetryableError extends Error {
  readonly retryable = false;

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "NonRetryableError";
  }
}

/** A payload that does not match the job's schema: thrown by `enqueue`, and fails a job without retry. */
export class InvalidJobPayloadError extends NonRetryableError {
  readonly code = "invalid_job_payload";
  readonly issues: z.core.$ZodIssue[];

  constructor(jobName: string, issues: z.core.$ZodIssue[]) {
    const summary = issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
    super(`Invalid payload for job "${jobName}": ${summary}`);
    this.name = "InvalidJobPayloadError";
    this.issues = issues;
  }
}

function flag(error: unknown, key: string): unknown {
  return typeof error === "object" && error !== null ? (error as Record<string, unknown>)[key] : undefined;
}

export function isRetryable(error: unknown): boolean {
  const retryable = flag(error, "retryable");
  if (retryable === false) return false;
  if (retryable === true) return true;
  if (error instanceof DomainError) return error.retryAfterSeconds !== undefined;
  return true;
}

/** The delay the failure asks for (a 429's Retry-After), if any. */
export function retryAfterMsOf(error: unknown): number | undefined {
  const ms = flag(error, "retryAfterMs");
  if (typeof ms === "number" && Number.isFinite(ms) && ms >= 0) return ms;
  const seconds = flag(error, "retryAfterSeconds");
  if (typeof seconds === "number" && Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  return undefined;
}

const MAX_ERROR_LENGTH = 2000;

/** The failure reason kept on a job, for admins. */
export function describeError(error: unknown): string {
  const text =
    error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}
