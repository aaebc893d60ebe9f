import { z } from "zod";

/**
 * Provider settings (`/api/v1/settings/provider`) and the connection test (`/api/v1/providers/test`):
 * the LLM that answers for the workspace's default chatbot. Keys are write-only: reads carry a masked
 * hint, never the key.
 */

export const PROVIDER_KINDS = ["OPENAI", "GEMINI", "OPENROUTER", "OPENAI_COMPATIBLE", "OFFLINE"] as const;
export const ProviderKind = z.enum(PROVIDER_KINDS);
export type ProviderKind = z.infer<typeof ProviderKind>;

export const PROVIDER_LABELS: Record<ProviderKind, string> = {
  OPENAI: "OpenAI",
  GEMINI: "Google Gemini",
  OPENROUTER: "OpenRouter",
  OPENAI_COMPATIBLE: "OpenAI-compatible server",
  OFFLINE: "Offline (FAQ)",
};

/** Kinds that keep a credential (key and/or base URL); OFFLINE needs none. */
export const CREDENTIAL_KINDS = ["OPENAI", "GEMINI", "OPENROUTER", "OPENAI_COMPATIBLE"] as const;
export type CredentialKind = (typeof CREDENTIAL_KINDS)[number];

/** The hosted APIs refuse requests without a key; an OpenAI-compatible server (Ollama, vLLM) may not. */
export const providerRequiresApiKey = (kind: ProviderKind) =>
  kind === "OPENAI" || kind === "GEMINI" || kind === "OPENROUTER";

/** An OpenAI-compatible server has no public default: its base URL must be given. */
export const providerRequiresBaseUrl = (kind: ProviderKind) => kind === "OPENAI_COMPATIBLE";

/** Suggestions for the model field; any other model name is accepted as free text. */
export const SUGGESTED_MODELS: Record<ProviderKind, readonly string[]> = {
  OPENAI: ["gpt-4o-mini", "gpt-4.1-mini", "gpt-4.1", "gpt-4o"],
  GEMINI: ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.0-flash", "gemini-2.5-flash-lite"],
  OPENROUTER: [
    "openai/gpt-4o-mini",
    "anthropic/claude-3.5-sonnet",
    "google/gemini-2.5-flash",
    "meta-llama/llama-3.3-70b-instruct",
  ],
  OPENAI_COMPATIBLE: ["llama3.3-70b-instruct", "llama3.1:8b", "qwen2.5:7b-instruct", "mistral-nemo-instruct-2407"],
  OFFLINE: ["offline-faq"],
};

export const PROVIDER_LIMITS = {
  temperature: { min: 0, max: 2 },
  maxTokens: { min: 1, max: 32_768 },
  modelLength: 200,
  apiKeyLength: 1000,
  baseUrlLength: 2000,
  systemPromptLength: 20_000,
} as const;

const httpUrl = z
  .string()
  .trim()
  .max(PROVIDER_LIMITS.baseUrlLength)
  .pipe(z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }));

/** Stored state of one provider kind's credential. */
export const ProviderCredentialDto = z.object({
  provider: z.enum(CREDENTIAL_KINDS),
  hasApiKey: z.boolean(),
  /** Masked, e.g. `••••a1b2`; null without a key. */
  apiKeyHint: z.string().nullable(),
  /** The stored base URL; null means the server default (see `defaultBaseUrls`). */
  baseUrl: z.string().nullable(),
  /** The last connection test of exactly this stored credential. */
  lastTest: z
    .object({ ok: z.boolean(), code: z.string().nullable(), message: z.string().nullable(), at: z.string() })
    .nullable(),
});
export type ProviderCredentialDto = z.infer<typeof ProviderCredentialDto>;

export const ProviderSettingsDto = z.object({
  /** The workspace's default chatbot; null until the first save creates it. */
  chatbotId: z.string().nullable(),
  chatbotName: z.string().nullable(),
  provider: ProviderKind,
  model: z.string(),
  temperature: z.number(),
  maxTokens: z.number().int(),
  /** The system-prompt template; empty means the built-in default template. */
  systemPrompt: z.string(),
  /** The active provider's credential, flattened: stored base URL, key presence and hint. */
  baseUrl: z.string().nullable(),
  hasApiKey: z.boolean(),
  apiKeyHint: z.string().nullable(),
  /** Every kind's stored credential, so switching back shows the key kept for it. */
  credentials: z.array(ProviderCredentialDto),
  /** Base URL used when a credential has none (`OPENAI_BASE_URL`…); null = the provider's public API. */
  defaultBaseUrls: z.record(ProviderKind, z.string().nullable()),
  suggestedModels: z.record(ProviderKind, z.array(z.string())),
  /** The `{variables}` a system prompt may use. */
  promptVariables: z.array(z.string()),
  /** The template used while `systemPrompt` is empty. */
  defaultSystemPrompt: z.string(),
  updatedAt: z.string().nullable(),
});
export type ProviderSettingsDto = z.infer<typeof ProviderSettingsDto>;

/**
 * `PUT /api/v1/settings/provider`. `apiKey` and `baseUrl` apply to the chosen provider's stored
 * credential: omitted → kept; `null` or `""` → cleared; a value → replaces it.
 */
export const UpdateProviderSettingsInput = z.object({
  provider: ProviderKind,
  apiKey: z.string().trim().max(PROVIDER_LIMITS.apiKeyLength).nullable().optional(),
  baseUrl: z
    .union([z.literal(""), httpUrl])
    .nullable()
    .optional(),
  model: z.string().trim().min(1, "enter a model name").max(PROVIDER_LIMITS.modelLength),
  temperature: z.number().min(PROVIDER_LIMITS.temperature.min).max(PROVIDER_LIMITS.temperature.max),
  maxTokens: z.number().int().min(PROVIDER_LIMITS.maxTokens.min).max(PROVIDER_LIMITS.maxTokens.max),
  systemPrompt: z.string().max(PROVIDER_LIMITS.systemPromptLength),
});
export type UpdateProviderSettingsInput = z.infer<typeof UpdateProviderSettingsInput>;

/** `POST /api/v1/providers/test`: a missing (or empty) key or base URL means the stored one of that kind. */
export const TestProviderInput = z.object({
  provider: ProviderKind,
  apiKey: z.string().trim().max(PROVIDER_LIMITS.apiKeyLength).optional(),
  baseUrl: z.union([z.literal(""), httpUrl]).optional(),
  model: z.string().trim().min(1, "enter a model name").max(PROVIDER_LIMITS.modelLength),
});
export type TestProviderInput = z.infer<typeof TestProviderInput>;

/**
 * The normalised provider error codes (core `LlmErrorCode`), plus a credential that is incomplete, a
 * stored key that would go to another base URL than its own (`api_key_required`: type it again), and a
 * base URL on a private network the server does not reach (`url_not_allowed`).
 */
export const ProviderTestErrorCode = z.enum([
  "api_key_required",
  "url_not_allowed",
  "provider_auth_failed",
  "provider_rate_limited",
  "provider_quota_exhausted",
  "provider_timeout",
  "provider_unavailable",
  "provider_bad_request",
  "content_filtered",
  "provider_not_configured",
]);
export type ProviderTestErrorCode = z.infer<typeof ProviderTestErrorCode>;

/** Always answered with 200: the verdict is in `ok`, with a sentence for a person in `message`. */
export const TestProviderResult = z.discriminatedUnion("ok", [
  z.object({
    ok: z.literal(true),
    provider: ProviderKind,
    model: z.string(),
    latencyMs: z.number(),
    /** The start of the model's answer to the test prompt. */
    sample: z.string(),
    message: z.string(),
  }),
  z.object({
    ok: z.literal(false),
    provider: ProviderKind,
    code: ProviderTestErrorCode,
    message: z.string(),
    /**
     * A short technical reason (`HTTP 401`, `ECONNREFUSED`): never the upstream body, which a server at
     * a typed-in base URL could fill with anything, the request's own headers included.
     */
    detail: z.string().nullable(),
    retryable: z.boolean(),
  }),
]);
export type TestProviderResult = z.infer<typeof TestProviderResult>;
