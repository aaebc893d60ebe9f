import { describe, expect, it } from "vitest";
import { errorFromPayload, errorFromResponse, parseRetryAfter } from "./errors.ts";

const none = new Headers();
const json = (value: unknown) => JSON.stringify(value);

describe("errorFromResponse", () => {
  it.each([
    [
      "OpenAI invalid key",
      401,
      { error: { message: "Incorrect API key", code: "invalid_api_key" } },
      "provider_auth_failed",
    ],
    ["forbidden", 403, { error: { message: "Project does not have access" } }, "provider_auth_failed"],
    [
      "Gemini invalid key (400)",
      400,
      {
        error: {
          code: 400,
          message: "API key not valid. Please pass a valid API key.",
          status: "INVALID_ARGUMENT",
          details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }],
        },
      },
      "provider_auth_failed",
    ],
    [
      "OpenAI insufficient_quota",
      429,
      { error: { message: "You exceeded your current quota", type: "insufficient_quota", code: "insufficient_quota" } },
      "provider_quota_exhausted",
    ],
    [
      "OpenRouter out of credits",
      402,
      { error: { code: 402, message: "Insufficient credits" } },
      "provider_quota_exhausted",
    ],
    [
      "Gemini quota without a retry delay",
      429,
      { error: { code: 429, status: "RESOURCE_EXHAUSTED", message: "You exceeded your current quota, check billing" } },
      "provider_quota_exhausted",
    ],
    [
      "Gemini per-minute limit (RetryInfo)",
      429,
      {
        error: {
          code: 429,
          status: "RESOURCE_EXHAUSTED",
          message: "You exceeded your current quota",
          details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "13s" }],
        },
      },
      "provider_rate_limited",
    ],
    [
      "OpenAI rate limit",
      429,
      { error: { message: "Rate limit reached", code: "rate_limit_exceeded" } },
      "provider_rate_limited",
    ],
    ["request timeout", 408, {}, "provider_unavailable"],
    ["conflict", 409, {}, "provider_unavailable"],
    ["server error", 500, { error: { message: "boom" } }, "provider_unavailable"],
    ["overloaded", 529, "overloaded", "provider_unavailable"],
    ["bad request", 400, { error: { message: "Invalid 'messages'" } }, "provider_bad_request"],
    ["unknown model", 404, { error: { message: "model not found" } }, "provider_bad_request"],
    ["unprocessable", 422, {}, "provider_bad_request"],
    [
      "OpenAI content policy",
      400,
      { error: { message: "rejected by our safety system", code: "content_policy_violation" } },
      "content_filtered",
    ],
    [
      "OpenRouter moderation",
      403,
      { error: { code: 403, message: "Your input was flagged", metadata: { reasons: ["harassment"] } } },
      "content_filtered",
    ],
  ])("%s → %s", (_name, status, body, code) => {
    const error = errorFromResponse("OPENAI", status, none, typeof body === "string" ? body : json(body));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.retryable).toBe(["provider_rate_limited", "provider_unavailable"].includes(code));
  });

  it("keeps the provider's message but never the key", () => {
    const key = "sk-live-0123456789abcdef";
    const error = errorFromResponse("OPENAI", 401, none, json({ error: { message: `Key ${key} is revoked` } }), key);
    expect(error.message).toBe("OpenAI answered 401: Key [redacted] is revoked");
  });

  it("carries the retry-after of a rate limit, from headers or Gemini's RetryInfo", () => {
    const fromHeader = errorFromResponse("OPENAI", 429, new Headers({ "retry-after-ms": "250" }), "{}");
    expect(fromHeader).toMatchObject({ code: "provider_rate_limited", retryAfterMs: 250 });
    const body = json({ error: { code: 429, details: [{ retryDelay: "1.5s" }], message: "quota" } });
    expect(errorFromResponse("GEMINI", 429, none, body)).toMatchObject({ retryAfterMs: 1500 });
    const unavailable = errorFromResponse("OPENROUTER", 503, new Headers({ "retry-after": "2" }), "{}");
    expect(unavailable).toMatchObject({ code: "provider_unavailable", retryAfterMs: 2000 });
    const quota = errorFromResponse(
      "OPENAI",
      429,
      new Headers({ "retry-after": "2" }),
      '{"error":{"code":"insufficient_quota"}}',
    );
    expect(quota).toMatchObject({ code: "provider_quota_exhausted", retryAfterMs: undefined });
  });
});

describe("errorFromPayload (errors after the 200)", () => {
  it("maps string and numeric codes", () => {
    expect(
      errorFromPayload("OPENROUTER", { error: { code: "server_error", message: "Provider disconnected" } }),
    ).toMatchObject({
      code: "provider_unavailable",
      retryable: true,
    });
    expect(errorFromPayload("OPENROUTER", { error: { code: 429, message: "slow down" } }).code).toBe(
      "provider_rate_limited",
    );
    expect(errorFromPayload("OPENAI", { error: { message: "x", code: "insufficient_quota" } }).code).toBe(
      "provider_quota_exhausted",
    );
    expect(errorFromPayload("OPENAI", { error: { object: "error", code: 400, message: "bad" } }).code).toBe(
      "provider_bad_request",
    );
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2025-01-01T00:00:00Z");
  it.each([
    [{ "retry-after-ms": "120" }, 120],
    [{ "retry-after": "2" }, 2000],
    [{ "retry-after": "0.05" }, 50],
    [{ "retry-after": "Wed, 01 Jan 2025 00:00:05 GMT" }, 5000],
    [{ "retry-after": "Tue, 31 Dec 2024 23:00:00 GMT" }, 0],
    [{ "retry-after": "3600" }, 60_000],
    [{ "retry-after-ms": "abc", "retry-after": "1" }, 1000],
    [{ "retry-after": "soon" }, undefined],
    [{}, undefined],
  ])("%o → %s", (headers, expected) => {
    expect(parseRetryAfter(new Headers(headers), now)).toBe(expected);
  });
});
