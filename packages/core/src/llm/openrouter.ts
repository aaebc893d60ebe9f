/**
 * OpenRouter: OpenAI Chat Completions at `https://openrouter.ai/api/v1`, model ids `provider/model`.
 * Attribution goes in `HTTP-Referer` and both `X-Title` and its newer name `X-OpenRouter-Title`.
 * Its streams carry `: OPENROUTER PROCESSING` comment lines (the SSE parser drops them) and report
 * failures after the 200 as `data:` events with an `error` field, which become `LlmError`s.
 */
import { createOpenAiWireProvider } from "./openai.ts";
import type { AdapterOptions } from "./request.ts";
import type { LlmProvider, ProviderConfig } from "./types.ts";

export const OPENROUTER_DEFAULT_BASE_URL = "https://openrouter.ai/api/v1";
export const OPENROUTER_DEFAULT_EMBEDDING_MODEL = "openai/text-embedding-3-small";

export function createOpenRouterProvider(config: ProviderConfig, options: AdapterOptions = {}): LlmProvider {
  // Kept to printable ASCII: fetch throws on header characters beyond Latin-1.
  const title = asciiHeader(config.appName ?? "") || "Tandem";
  return createOpenAiWireProvider(config, options, {
    kind: "OPENROUTER",
    baseUrl: config.baseUrl ?? options.baseUrls?.openrouterBaseUrl ?? OPENROUTER_DEFAULT_BASE_URL,
    versionPrefix: "/api/v1",
    tokenLimitField: "max_tokens",
    keyRequired: true,
    headers: {
      ...(config.appUrl ? { "http-referer": asciiHeader(config.appUrl) } : {}),
      "x-title": title,
      "x-openrouter-title": title,
    },
    defaultEmbeddingModel: OPENROUTER_DEFAULT_EMBEDDING_MODEL,
  });
}

/** `Café – Shop` → `Cafe Shop`: accents dropped, other non-ASCII characters removed. */
function asciiHeader(value: string): string {
  return value
    .normalize("NFKD")
    .replace(/[^\x20-\x7e]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}
