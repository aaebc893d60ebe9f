/**
 * What every adapter does around its HTTP call: one deadline for the whole call (connection to last
 * byte, retries included) combined with the caller's signal, retries of retryable failures honouring
 * the provider's `Retry-After`, and failures turned into `LlmError`s.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { outboundRefusalOf } from "../net/outbound.ts";
import { errorFromResponse, providerName, redact } from "./errors.ts";
import { LlmError, type ProviderConfig, type ProviderKind } from "./types.ts";

export const DEFAULT_LLM_TIMEOUT_MS = 30_000;

export interface LlmRetryPolicy {
  /** Retries after the first attempt; default 2. */
  maxRetries: number;
  /** Backoff of the first retry when the provider gives no `Retry-After`; doubles per retry. Default 500 ms. */
  minDelayMs: number;
  /** Backoff ceiling; default 8 s. */
  maxDelayMs: number;
}

export const DEFAULT_LLM_RETRY: LlmRetryPolicy = { maxRetries: 2, minDelayMs: 500, maxDelayMs: 8_000 };

/** Server-wide base URLs (`Config["llm"]`): used when the provider's configuration has none. */
export interface LlmBaseUrls {
  openaiBaseUrl?: string | undefined;
  geminiBaseUrl?: string | undefined;
  openrouterBaseUrl?: string | undefined;
}

/** Tuning every adapter accepts besides its `ProviderConfig`. */
export interface AdapterOptions {
  /** Pass `config.llm` so `OPENAI_BASE_URL` / `GEMINI_BASE_URL` / `OPENROUTER_BASE_URL` apply. */
  baseUrls?: LlmBaseUrls;
  retry?: Partial<LlmRetryPolicy>;
  /** Deadline of a call that does not set `timeoutMs`; default 30 s. */
  timeoutMs?: number;
}

/**
 * The deadline of one call. Its signal aborts when the time is up or the caller's signal aborts;
 * `failure()` then says which of the two it was.
 */
export class Deadline {
  readonly signal: AbortSignal;
  readonly startedAt = performance.now();
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort: () => void;
  private timedOut = false;

  constructor(
    readonly timeoutMs: number,
    private readonly caller: AbortSignal | undefined,
  ) {
    this.signal = this.controller.signal;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error("deadline"));
    }, timeoutMs);
    this.onCallerAbort = () => this.controller.abort(caller?.reason);
    if (caller?.aborted) this.onCallerAbort();
    else caller?.addEventListener("abort", this.onCallerAbort, { once: true });
  }

  remainingMs(): number {
    return this.timeoutMs - (performance.now() - this.startedAt);
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.startedAt);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener("abort", this.onCallerAbort);
  }

  /**
   * What to throw for an exception from fetch or a body read: the caller's own abort reason when it
   * cancelled (not a provider failure), `provider_timeout` when the deadline passed, the error itself
   * when it already is an `LlmError`, `provider_bad_request` when the outbound guard refused the
   * address, else `provider_unavailable` (connection refused, reset, DNS).
   */
  failure(provider: ProviderKind, error: unknown): unknown {
    if (this.caller?.aborted && !this.timedOut) return this.caller.reason;
    if (this.timedOut) {
      return new LlmError("provider_timeout", `${providerName(provider)} did not answer within ${this.timeoutMs} ms`, {
        provider,
        cause: error,
      });
    }
    if (error instanceof LlmError) return error;
    // The base URL points to an address this server refuses to reach: no retry will change that.
    const refusal = outboundRefusalOf(error);
    if (refusal) {
      return new LlmError("provider_bad_request", `${providerName(provider)} was not called: ${refusal.message}`, {
        provider,
        cause: error,
      });
    }
    const reason = error instanceof Error ? (describeCause(error) ?? error.message) : String(error);
    return new LlmError("provider_unavailable", `${providerName(provider)} could not be reached: ${reason}`, {
      provider,
      cause: error,
    });
  }
}

function describeCause(error: Error): string | undefined {
  const cause = error.cause;
  if (cause instanceof Error) return (cause as NodeJS.ErrnoException).code ?? cause.message;
  return undefined;
}

/** One adapter's HTTP client: the settings it was built with and `post()`. */
export class ProviderHttp {
  readonly retry: LlmRetryPolicy;
  readonly defaultTimeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(
    readonly provider: ProviderKind,
    private readonly apiKey: string | undefined,
    config: ProviderConfig,
    options: AdapterOptions,
  ) {
    this.fetch = config.fetch ?? globalThis.fetch;
    this.retry = { ...DEFAULT_LLM_RETRY, ...options.retry };
    this.defaultTimeoutMs = options.timeoutMs ?? DEFAULT_LLM_TIMEOUT_MS;
  }

  deadline(timeoutMs: number | undefined, signal: AbortSignal | undefined): Deadline {
    return new Deadline(timeoutMs ?? this.defaultTimeoutMs, signal);
  }

  /**
   * POSTs JSON and returns the first 2xx response, its body unread. Retryable failures are retried
   * while the policy and the deadline allow; a wait that would outlast the deadline is not started
   * (the error goes to the caller with its `retryAfterMs`, for a job to reschedule).
   */
  async post(url: string, headers: Record<string, string>, body: unknown, deadline: Deadline): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      let error: unknown;
      try {
        const response = await this.fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
          signal: deadline.signal,
        });
        if (response.ok) return response;
        const text = await response.text();
        error = errorFromResponse(this.provider, response.status, response.headers, text, this.apiKey);
      } catch (caught) {
        error = deadline.failure(this.provider, caught);
      }
      if (!(error instanceof LlmError) || !error.retryable || attempt >= this.retry.maxRetries) throw error;
      const delay = error.retryAfterMs ?? this.backoff(attempt);
      if (delay >= deadline.remainingMs()) throw error;
      try {
        await sleep(delay, undefined, { signal: deadline.signal });
      } catch (caught) {
        throw deadline.failure(this.provider, caught);
      }
    }
  }

  /** Exponential from `minDelayMs` to `maxDelayMs`, each wait drawn from its upper half (jitter). */
  backoff(attempt: number): number {
    const ceiling = Math.min(this.retry.maxDelayMs, this.retry.minDelayMs * 2 ** attempt);
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  /** Removes the key from a text that will reach a log or an error. */
  redact(text: string): string {
    return redact(text, this.apiKey);
  }
}

/**
 * `{base}{path}`, adding the API version prefix unless the base already ends in a version segment:
 * `https://api.openai.com` and `https://api.openai.com/v1` both give `…/v1/chat/completions`, and
 * `https://openrouter.ai/api/v1` is not given a second `/v1`.
 */
export function endpoint(base: string, versionPrefix: string, path: string): string {
  const trimmed = base.replace(/\/+$/, "");
  const versioned = /\/v\d+(?:alpha|beta)?\d*$/.test(trimmed);
  return `${trimmed}${versioned ? "" : versionPrefix}${path}`;
}

/** Temperatures are 0–2 in every API here; out-of-range values are clamped rather than rejected. */
export function clampTemperature(value: number): number {
  return Math.min(2, Math.max(0, value));
}

/** Requires an API key for providers that cannot work without one. */
export function requireKey(provider: ProviderKind, apiKey: string | undefined): string {
  if (!apiKey) {
    throw new LlmError("provider_auth_failed", `${providerName(provider)} needs an API key`, { provider });
  }
  return apiKey;
}
