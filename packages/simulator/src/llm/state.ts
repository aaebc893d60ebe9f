/**
 * In-memory world shared by the fake LLM APIs (OpenAI-compatible, OpenRouter, Gemini): recorded
 * calls, scripted replies, keys a test declared invalid, and injected faults — per key, or for the
 * next calls in order.
 */

export const LLM_SIM_PROVIDERS = ["openai", "openrouter", "gemini"] as const;
export type LlmSimProvider = (typeof LLM_SIM_PROVIDERS)[number];

/**
 * - `invalid_key`: the provider's invalid-key answer (OpenAI/OpenRouter 401, Gemini 400 API_KEY_INVALID).
 * - `rate_limit`: 429 with `retry-after` / `retry-after-ms` (Gemini: a RetryInfo delay in the body).
 * - `quota_exhausted`: OpenAI 429 `insufficient_quota`, OpenRouter 402, Gemini 429 quota without a retry delay.
 * - `server_error` 500, `unavailable` 503.
 * - `slow`: waits `delayMs` (default 5 s), then answers normally.
 * - `content_filter`: finish reason `content_filter` (Gemini `SAFETY`) with no text.
 * - `prompt_blocked`: OpenAI 400 `content_policy_violation`, OpenRouter 403 moderation, Gemini `promptFeedback.blockReason`.
 * - `stream_error`: a stream fails after its first deltas (`data:` event with `error`); a plain call
 *   gets OpenRouter's 200 with an `error` body, or a 500 elsewhere.
 */
export const LLM_FAULT_KINDS = [
  "invalid_key",
  "rate_limit",
  "quota_exhausted",
  "server_error",
  "unavailable",
  "slow",
  "content_filter",
  "prompt_blocked",
  "stream_error",
] as const;
export type LlmFaultKind = (typeof LLM_FAULT_KINDS)[number];

export interface LlmFault {
  kind: LlmFaultKind;
  /** Calls it applies to; default 1, `Infinity` until cleared. */
  times?: number;
  /** Only calls to this fake; default any. */
  provider?: LlmSimProvider;
  /** Only calls made with this key; default the next calls whatever their key. */
  key?: string;
  /** `rate_limit`: the wait announced, default 1000 ms. */
  retryAfterMs?: number;
  /** `slow`: the delay before answering, default 5000 ms. */
  delayMs?: number;
}

export interface ScriptedReply {
  reply: string;
  /** Used when the last user message contains this text (case-insensitive); without it, the next call's reply. */
  match?: string;
  provider?: LlmSimProvider;
  /** Calls it answers; default 1 for a next reply, `Infinity` for a match. */
  times?: number;
}

export interface LlmCall {
  seq: number;
  provider: LlmSimProvider;
  method: string;
  /** Below the fake's mount point: `/v1/chat/completions`, `/v1beta/models/gemini-2.0-flash:generateContent`. */
  path: string;
  /** Query parameters without `key`. */
  query: Record<string, string>;
  /** Lower-cased request headers without `authorization`, `x-goog-api-key` and `cookie`. */
  headers: Record<string, string>;
  /** Parsed JSON body (raw text when not JSON; `undefined` when empty). */
  body: unknown;
  /** How the key came; only its last four characters are kept. */
  auth: { via: "bearer" | "header" | "query" | "none"; keySuffix?: string };
  time: number;
  status?: number;
  /** The fault that answered this call, if any. */
  fault?: LlmFaultKind;
}

export class LlmSimState {
  readonly calls: LlmCall[] = [];
  readonly invalidKeys = new Set<string>();
  private faultQueue: LlmFault[] = [];
  private replies: ScriptedReply[] = [];
  private seq = 0;
  private ids = 0;

  constructor(private readonly maxCalls = 5_000) {}

  record(call: Omit<LlmCall, "seq">): LlmCall {
    const recorded = { ...call, seq: ++this.seq };
    this.calls.push(recorded);
    if (this.calls.length > this.maxCalls) this.calls.splice(0, this.calls.length - this.maxCalls);
    return recorded;
  }

  /** A fault for the next calls (in the order added), or — with `key` — for every call with that key. */
  addFault(fault: LlmFault): void {
    this.faultQueue.push({ ...fault, times: fault.times ?? 1 });
  }

  clearFaults(): void {
    this.faultQueue = [];
  }

  /** The fault this call meets, consuming one use of it; key-bound faults come first. */
  takeFault(provider: LlmSimProvider, key: string | undefined): LlmFault | undefined {
    const applies = (f: LlmFault) => (!f.provider || f.provider === provider) && (!f.key || f.key === key);
    const fault = this.faultQueue.find((f) => f.key && applies(f)) ?? this.faultQueue.find((f) => !f.key && applies(f));
    if (!fault) return undefined;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faultQueue = this.faultQueue.filter((f) => f !== fault);
    return fault;
  }

  addReply(reply: ScriptedReply): void {
    this.replies.push({ ...reply, times: reply.times ?? (reply.match ? Number.POSITIVE_INFINITY : 1) });
  }

  clearReplies(): void {
    this.replies = [];
  }

  /** The scripted reply for this call: the next queued one, else the first whose `match` the message contains. */
  takeReply(provider: LlmSimProvider, lastUserMessage: string): string | undefined {
    const text = lastUserMessage.toLowerCase();
    const forProvider = (r: ScriptedReply) => !r.provider || r.provider === provider;
    const reply =
      this.replies.find((r) => !r.match && forProvider(r)) ??
      this.replies.find((r) => r.match && forProvider(r) && text.includes(r.match.toLowerCase()));
    if (!reply) return undefined;
    reply.times = (reply.times ?? 1) - 1;
    if (reply.times <= 0) this.replies = this.replies.filter((r) => r !== reply);
    return reply.reply;
  }

  nextId(): number {
    this.ids += 1;
    return this.ids;
  }

  reset(): void {
    this.calls.length = 0;
    this.invalidKeys.clear();
    this.faultQueue = [];
    this.replies = [];
    this.seq = 0;
    this.ids = 0;
  }
}
