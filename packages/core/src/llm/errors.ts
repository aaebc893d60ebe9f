/**
 * Provider failures → `LlmError`. One table for every adapter: the three wire formats put their
 * error in `{"error":{…}}` (OpenAI `{message,type,code}`, Gemini `{code,message,status,details}`,
 * OpenRouter `{code,message,metadata}`), so one reader covers them all. The API key never appears
 * in a message: providers mask it themselves, and `redact` removes it if one does not.
 */
import { LlmError, type LlmErrorCode, type ProviderKind, RETRYABLE_LLM_ERRORS } from "./types.ts";

/** The longest wait a `Retry-After` may ask for. */
export const MAX_RETRY_AFTER_MS = 60_000;

const PROVIDER_NAMES: Record<ProviderKind, string> = {
  OPENAI: "OpenAI",
  GEMINI: "Gemini",
  OPENROUTER: "OpenRouter",
  OPENAI_COMPATIBLE: "OpenAI-compatible server",
  OFFLINE: "Offline provider",
};

export function providerName(kind: ProviderKind): string {
  return PROVIDER_NAMES[kind];
}

/** The parts of an error body the classification looks at. */
interface ErrorDetails {
  message: string | undefined;
  /** OpenAI `code`/`type` (`insufficient_quota`, `rate_limit_exceeded`), Gemini `status` (`RESOURCE_EXHAUSTED`). */
  tags: string[];
  /** OpenRouter and Gemini put the HTTP status in `error.code`. */
  numericCode: number | undefined;
  /** Gemini `RetryInfo.retryDelay`. */
  retryDelayMs: number | undefined;
  /** OpenRouter moderation metadata (`flagged_input`, `reasons`). */
  flagged: boolean;
}

/**
 * The `LlmError` for a non-2xx response. `status` and `headers` are the response's; `body` its text
 * (JSON or not). `secret` is the request's key, removed from the message should the body echo it.
 */
export function errorFromResponse(
  provider: ProviderKind,
  status: number,
  headers: Headers,
  body: string,
  secret?: string,
): LlmError {
  const details = readErrorBody(parseJson(body));
  const hintMs = parseRetryAfter(headers) ?? details.retryDelayMs;
  const code = classify(status, details, hintMs !== undefined);
  const text = details.message ?? (body.trim().slice(0, 300) || "no error message");
  return new LlmError(code, redact(`${providerName(provider)} answered ${status}: ${text}`, secret), {
    provider,
    status,
    ...(hintMs !== undefined && RETRYABLE_LLM_ERRORS.has(code) ? { retryAfterMs: hintMs } : {}),
  });
}

/**
 * The `LlmError` for an error that arrives inside a 200 answer: an SSE `data:` event with an
 * `error` field (OpenRouter, OpenAI, vLLM) or a JSON body carrying one. The generation has already
 * started, so a failure without a recognisable cause counts as the provider's (retryable).
 */
export function errorFromPayload(provider: ProviderKind, payload: unknown, secret?: string): LlmError {
  const details = readErrorBody(payload);
  const status = details.numericCode ?? 0;
  const code = status >= 400 ? classify(status, details, details.retryDelayMs !== undefined) : classifyTags(details);
  const text = details.message ?? "error without a message";
  return new LlmError(code, redact(`${providerName(provider)} failed mid-response: ${text}`, secret), {
    provider,
    status,
    ...(details.retryDelayMs !== undefined && RETRYABLE_LLM_ERRORS.has(code)
      ? { retryAfterMs: details.retryDelayMs }
      : {}),
  });
}

/** An answer that stopped for the provider's content policy (finish reason or a blocked prompt). */
export function contentFiltered(provider: ProviderKind, reason: string): LlmError {
  return new LlmError("content_filtered", `${providerName(provider)} withheld the answer (${reason})`, { provider });
}

/** A 2xx answer the adapter could not read (not JSON, wrong shape): the provider's fault, retryable. */
export function malformedResponse(provider: ProviderKind, what: string, cause?: unknown): LlmError {
  return new LlmError("provider_unavailable", `${providerName(provider)} sent an unreadable ${what}`, {
    provider,
    cause,
  });
}

/** The payload as `{error}` when it reports an error (OpenAI/OpenRouter `{error}`, vLLM `{object:"error"}`), else undefined. */
export function payloadError(payload: unknown): unknown {
  if (!isRecord(payload)) return undefined;
  if (payload.error !== undefined && payload.error !== null) return payload;
  if (payload.object === "error") return { error: payload };
  return undefined;
}

function classify(status: number, details: ErrorDetails, hasRetryHint: boolean): LlmErrorCode {
  const tags = details.tags;
  const message = details.message ?? "";
  if (tags.some((t) => /content_(filter|policy)/.test(t)) || details.flagged) return "content_filtered";
  if (status === 401 || status === 403) return "provider_auth_failed";
  // Gemini answers an invalid key with 400 INVALID_ARGUMENT and reason API_KEY_INVALID.
  if (tags.includes("api_key_invalid") || /api key not (valid|found)/i.test(message)) return "provider_auth_failed";
  if (status === 402) return "provider_quota_exhausted";
  if (status === 429)
    return isQuotaExhausted(details, hasRetryHint) ? "provider_quota_exhausted" : "provider_rate_limited";
  if (status === 408 || status === 409 || status >= 500) return "provider_unavailable";
  return "provider_bad_request";
}

/** A mid-response error with no HTTP-like code: read the provider's own code words. */
function classifyTags(details: ErrorDetails): LlmErrorCode {
  const tags = details.tags;
  if (tags.some((t) => /content_(filter|policy)/.test(t)) || details.flagged) return "content_filtered";
  if (tags.includes("insufficient_quota")) return "provider_quota_exhausted";
  if (tags.some((t) => t.includes("rate_limit") || t === "resource_exhausted")) return "provider_rate_limited";
  if (tags.some((t) => t.includes("invalid_api_key") || t === "unauthenticated")) return "provider_auth_failed";
  if (tags.some((t) => t === "invalid_request_error" || t === "invalid_argument")) return "provider_bad_request";
  return "provider_unavailable";
}

/**
 * A 429 that waiting will not fix. OpenAI says so with `insufficient_quota`. Gemini words its
 * per-minute limits as "exceeded your current quota" too, but then sends a RetryInfo delay; a quota
 * message without any retry hint, and without rate wording, is a spent quota or credit balance.
 */
function isQuotaExhausted(details: ErrorDetails, hasRetryHint: boolean): boolean {
  if (details.tags.includes("insufficient_quota")) return true;
  if (hasRetryHint) return false;
  const message = details.message ?? "";
  return /quota|billing|credits?\b/i.test(message) && !/rate limit|per minute|per second|requests per/i.test(message);
}

function readErrorBody(payload: unknown): ErrorDetails {
  const error = isRecord(payload) && isRecord(payload.error) ? payload.error : isRecord(payload) ? payload : {};
  const tags: string[] = [];
  for (const value of [error.code, error.type, error.status]) {
    if (typeof value === "string" && value) tags.push(value.toLowerCase());
  }
  let retryDelayMs: number | undefined;
  for (const detail of Array.isArray(error.details) ? error.details : []) {
    if (!isRecord(detail)) continue;
    if (typeof detail.reason === "string") tags.push(detail.reason.toLowerCase());
    if (typeof detail.retryDelay === "string") retryDelayMs = parseDuration(detail.retryDelay);
  }
  const metadata = isRecord(error.metadata) ? error.metadata : {};
  const numeric = typeof error.code === "number" ? error.code : Number.NaN;
  return {
    message: typeof error.message === "string" && error.message ? error.message : undefined,
    tags,
    numericCode: Number.isInteger(numeric) ? numeric : undefined,
    retryDelayMs: retryDelayMs === undefined ? undefined : Math.min(retryDelayMs, MAX_RETRY_AFTER_MS),
    flagged: metadata.flagged_input !== undefined || Array.isArray(metadata.reasons),
  };
}

/**
 * The wait a response asks for: `retry-after-ms` (OpenAI), else `retry-after` in seconds or as an
 * HTTP date; capped at 60 s. `undefined` when neither header is usable.
 */
export function parseRetryAfter(headers: Headers, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(headers.get("retry-after-ms") ?? "");
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  const value = headers.get("retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Number.parseFloat(value) * 1000, MAX_RETRY_AFTER_MS);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.min(Math.max(0, date - now), MAX_RETRY_AFTER_MS);
}

/** A protobuf duration as JSON (`"13s"`, `"0.250s"`). */
function parseDuration(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Number.parseFloat(match[1] ?? "0") * 1000 : undefined;
}

export function redact(text: string, secret: string | undefined): string {
  return secret && secret.length >= 4 ? text.split(secret).join("[redacted]") : text;
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
