import { isRetryable, retryAfterMsOf } from "./errors.ts";

/**
 * Exponential backoff with jitter, capped: the n-th failed attempt waits around
 * `min(maxMs, baseMs * 2^(n-1))`.
 * - `full`: uniformly in [0, cap] — spreads a thundering herd best, may retry almost at once.
 * - `equal`: cap/2 plus up to cap/2 — always waits at least half (the default).
 * - `none`: exactly the cap (deterministic; for tests and fixed schedules).
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  jitter: "full" | "equal" | "none";
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 5 * 60_000, jitter: "equal" };

/** Delay before the next attempt after attempt number `attempt` (1-based) failed. */
export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempt - 1);
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  switch (policy.jitter) {
    case "full":
      return Math.round(random() * cap);
    case "equal":
      return Math.round(cap / 2 + (random() * cap) / 2);
    case "none":
      return Math.round(cap);
  }
}

export type FailureDecision = { retry: true; delayMs: number } | { retry: false };

/**
 * What to do after attempt `attempt` of `maxAttempts` threw `error`. A retry-after asked for by the
 * error is honoured as given (not capped): the remote side knows better than our schedule.
 */
export function decideAfterFailure(
  policy: BackoffPolicy,
  attempt: number,
  maxAttempts: number,
  error: unknown,
): FailureDecision {
  if (!isRetryable(error) || attempt >= maxAttempts) return { retry: false };
  return { retry: true, delayMs: retryAfterMsOf(error) ?? backoffDelay(policy, attempt) };
}
