/**
 * Error answers of the fake LLM APIs, shaped as each provider sends them (platform-protocols.md §3):
 * OpenAI `{"error":{message,type,param,code}}` (+ `retry-after-ms` / `retry-after` on 429),
 * OpenRouter `{"error":{code,message,metadata?}}` with the status in `code`, Gemini
 * `{"error":{code,message,status,details?}}` with google.rpc details (ErrorInfo, RetryInfo, QuotaFailure).
 */
import type { LlmSimProvider } from "./state.ts";

export class LlmSimError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: Record<string, unknown> },
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.error.message));
  }

  toResponse(): Response {
    return new Response(JSON.stringify(this.body), {
      status: this.status,
      headers: { "content-type": "application/json", ...this.headers },
    });
  }
}

const openAi = (status: number, message: string, type: string, code: string | null, param: string | null = null) =>
  new LlmSimError(status, { error: { message, type, param, code } });

const openRouter = (status: number, message: string, metadata?: Record<string, unknown>) =>
  new LlmSimError(status, { error: { code: status, message, ...(metadata ? { metadata } : {}) } });

const GOOGLE_STATUS: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

const gemini = (status: number, message: string, details?: Record<string, unknown>[]) =>
  new LlmSimError(status, {
    error: { code: status, message, status: GOOGLE_STATUS[status] ?? "UNKNOWN", ...(details ? { details } : {}) },
  });

const QUOTA_MESSAGE =
  "You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.";

const quotaFailure = (quotaId: string) => ({
  "@type": "type.googleapis.com/google.rpc.QuotaFailure",
  violations: [
    {
      quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
      quotaId,
      quotaValue: "15",
    },
  ],
});

/** The errors each fake can answer, by situation. */
export interface LlmErrorSet {
  missingKey(): LlmSimError;
  invalidKey(keySuffix: string): LlmSimError;
  rateLimit(retryAfterMs: number): LlmSimError;
  quotaExhausted(): LlmSimError;
  serverError(): LlmSimError;
  unavailable(): LlmSimError;
  /** Absent where a blocked prompt is not an HTTP error (Gemini answers 200 with `promptFeedback`). */
  promptBlocked?(): LlmSimError;
  badRequest(message: string, param?: string): LlmSimError;
}

export const openAiErrors: LlmErrorSet = {
  missingKey: () =>
    openAi(
      401,
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      "invalid_request_error",
      null,
    ),
  invalidKey: (suffix) =>
    openAi(
      401,
      `Incorrect API key provided: sk-...${suffix}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      "invalid_request_error",
      "invalid_api_key",
    ),
  rateLimit: (ms) => {
    const error = openAi(
      429,
      `Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${ms}ms.`,
      "requests",
      "rate_limit_exceeded",
    );
    return new LlmSimError(429, error.body, {
      "retry-after-ms": String(ms),
      "retry-after": String(Math.ceil(ms / 1000)),
    });
  },
  quotaExhausted: () =>
    openAi(
      429,
      "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
      "insufficient_quota",
      "insufficient_quota",
    ),
  serverError: () =>
    openAi(500, "The server had an error while processing your request. Sorry about that!", "server_error", null),
  unavailable: () => openAi(503, "The engine is currently overloaded, please try again later.", "server_error", null),
  promptBlocked: () =>
    openAi(
      400,
      "Your request was rejected as a result of our safety system.",
      "invalid_request_error",
      "content_policy_violation",
    ),
  badRequest: (message, param) => openAi(400, message, "invalid_request_error", null, param ?? null),
};

export const openRouterErrors: LlmErrorSet = {
  missingKey: () => openRouter(401, "No auth credentials found"),
  invalidKey: () => openRouter(401, "User not found."),
  rateLimit: (ms) => {
    const error = openRouter(429, "Rate limit exceeded: free-models-per-min.");
    // OpenRouter sends whole seconds; the fake sends the exact (possibly fractional) value so tests stay fast.
    return new LlmSimError(429, error.body, { "retry-after": String(ms / 1000) });
  },
  quotaExhausted: () =>
    openRouter(
      402,
      "This request requires more credits, or fewer max_tokens. Add more credits at https://openrouter.ai/settings/credits",
    ),
  serverError: () => openRouter(500, "Internal Server Error"),
  unavailable: () => openRouter(503, "No allowed providers are available for the selected model."),
  promptBlocked: () =>
    openRouter(403, 'The selected model requires moderation on OpenRouter. Your input was flagged for "harassment".', {
      reasons: ["harassment"],
      flagged_input: "…",
      provider_name: "OpenAI",
    }),
  badRequest: (message) => openRouter(400, message),
};

export const geminiErrors: LlmErrorSet = {
  missingKey: () =>
    gemini(
      403,
      "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    ),
  invalidKey: () =>
    gemini(400, "API key not valid. Please pass a valid API key.", [
      {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "API_KEY_INVALID",
        domain: "googleapis.com",
        metadata: { service: "generativelanguage.googleapis.com" },
      },
    ]),
  rateLimit: (ms) =>
    gemini(429, QUOTA_MESSAGE, [
      quotaFailure("GenerateRequestsPerMinutePerProjectPerModel-FreeTier"),
      { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: `${ms / 1000}s` },
    ]),
  quotaExhausted: () => gemini(429, QUOTA_MESSAGE, [quotaFailure("GenerateRequestsPerDayPerProjectPerModel-FreeTier")]),
  serverError: () =>
    gemini(
      500,
      "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
    ),
  unavailable: () => gemini(503, "The model is overloaded. Please try again later."),
  badRequest: (message) => gemini(400, message),
};

export const geminiNotFound = (message: string) => gemini(404, message);

export const ERRORS: Record<LlmSimProvider, LlmErrorSet> = {
  openai: openAiErrors,
  openrouter: openRouterErrors,
  gemini: geminiErrors,
};

/** The mid-stream `error` payload each provider sends after a 200. */
export function streamErrorPayload(provider: LlmSimProvider): Record<string, unknown> {
  switch (provider) {
    case "openai":
      return { error: { message: "The server had an error while processing your request.", type: "server_error" } };
    case "openrouter":
      return { error: { code: "server_error", message: "Provider disconnected unexpectedly" } };
    case "gemini":
      return { error: { code: 500, message: "An internal error has occurred.", status: "INTERNAL" } };
  }
}
