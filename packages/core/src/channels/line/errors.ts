/**
 * Every failed LINE API call is a `LineApiError` that says what the sender should do: retry later
 * (network, timeout, 5xx, the per-second rate limit), fall back to push (a stale or used reply token),
 * ask for a new token (401), or give up with a reason a person can read (the monthly message quota,
 * a refused request). `code` is the snake_case code stored on a failed message.
 */

export interface LineErrorDetail {
  message: string;
  property: string;
}

export type LineErrorCode =
  | "platform_unreachable"
  | "platform_timeout"
  | "platform_unavailable"
  | "rate_limited"
  | "quota_exceeded"
  | "token_expired"
  | "invalid_reply_token"
  | "invalid_request"
  | "forbidden"
  | "not_found"
  | "content_too_large"
  | "platform_error";

export class LineApiError extends Error {
  /** HTTP status; 0 when no answer came (network failure, timeout). */
  readonly status: number;
  /** `details[]` of a 400: which property of the request LINE refused and why. */
  readonly details: LineErrorDetail[];
  readonly code: LineErrorCode;
  /** Worth retrying with backoff: network, timeout, 5xx, 429 rate limit. */
  readonly retryable: boolean;
  /** 401: the channel access token is invalid, revoked or expired — the channel needs a new one. */
  readonly tokenExpired: boolean;
  /** 429 "monthly limit": no push goes out until the quota resets or grows; retrying does not help. */
  readonly quotaExceeded: boolean;
  /** 400 "Invalid reply token": used, expired or another channel's; the sender falls back to push. */
  readonly invalidReplyToken: boolean;
  /** `x-line-request-id` of the failed call, for LINE support. */
  readonly requestId: string | null;
  readonly retryAfterMs?: number;

  constructor(
    message: string,
    init: {
      status: number;
      code: LineErrorCode;
      details?: LineErrorDetail[];
      requestId?: string | null;
      retryAfterMs?: number;
    },
  ) {
    super(message);
    this.name = "LineApiError";
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? [];
    this.requestId = init.requestId ?? null;
    this.retryable = ["platform_unreachable", "platform_timeout", "platform_unavailable", "rate_limited"].includes(
      init.code,
    );
    this.tokenExpired = init.code === "token_expired";
    this.quotaExceeded = init.code === "quota_exceeded";
    this.invalidReplyToken = init.code === "invalid_reply_token";
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }

  /** What the inbox shows for a failed message: LINE's words, with the refused properties. */
  get reason(): string {
    if (this.quotaExceeded) {
      return "This LINE Official Account has used its monthly message quota: push messages cannot be sent until the quota resets next month or the plan is upgraded in LINE Official Account Manager.";
    }
    if (this.tokenExpired) {
      return "LINE refused the channel access token (invalid, revoked or expired): issue a new token and reconnect the channel.";
    }
    if (this.details.length === 0) return this.message;
    return `${this.message}: ${this.details.map((d) => `${d.property} ${d.message}`).join("; ")}`;
  }
}

/** Classifies a LINE error answer `{message, details?}`. */
export function lineErrorFromResponse(status: number, body: unknown, headers: Headers): LineApiError {
  const record = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  const message = typeof record.message === "string" ? record.message : `LINE answered HTTP ${status}`;
  const details = Array.isArray(record.details)
    ? record.details.filter(
        (d): d is LineErrorDetail =>
          typeof d === "object" && d !== null && typeof d.message === "string" && typeof d.property === "string",
      )
    : [];
  const retryAfter = Number(headers.get("retry-after"));
  return new LineApiError(message, {
    status,
    code: codeOf(status, message),
    details,
    requestId: headers.get("x-line-request-id"),
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterMs: retryAfter * 1000 } : {}),
  });
}

function codeOf(status: number, message: string): LineErrorCode {
  if (status === 429) return /monthly limit/i.test(message) ? "quota_exceeded" : "rate_limited";
  if (status >= 500) return "platform_unavailable";
  if (status === 401) return "token_expired";
  if (status === 400) return /invalid reply token/i.test(message) ? "invalid_reply_token" : "invalid_request";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  return "platform_error";
}

/** A call that got no answer: refused connection, reset, DNS failure or our own timeout. */
export function lineNetworkError(cause: unknown, timeoutMs: number): LineApiError {
  const timedOut = (cause as Error | undefined)?.name === "TimeoutError";
  const inner = (cause as { cause?: { code?: string } } | undefined)?.cause?.code;
  const what = `${(cause as Error | undefined)?.message ?? "no answer"}${inner ? ` (${inner})` : ""}`;
  return new LineApiError(timedOut ? `LINE API timed out after ${timeoutMs} ms` : `LINE API unreachable: ${what}`, {
    status: 0,
    code: timedOut ? "platform_timeout" : "platform_unreachable",
  });
}
