import { createGeminiProvider } from "./gemini.ts";
import { createOpenAiProvider } from "./openai.ts";
import { createOpenAiCompatibleProvider } from "./openai-compatible.ts";
import { createOpenRouterProvider } from "./openrouter.ts";
import type { AdapterOptions } from "./request.ts";
import type { LlmProvider, ProviderConfig } from "./types.ts";

/**
 * The adapter for a provider configuration. Pass `{ baseUrls: config.llm }` so the server's
 * `OPENAI_BASE_URL` / `GEMINI_BASE_URL` / `OPENROUTER_BASE_URL` apply when the configuration has no
 * base URL of its own. Missing keys or base URLs are reported by the first call, as `LlmError`s.
 */
export function createProvider(config: ProviderConfig, options: AdapterOptions = {}): LlmProvider {
  switch (config.kind) {
    case "OPENAI":
      return createOpenAiProvider(config, options);
    case "GEMINI":
      return createGeminiProvider(config, options);
    case "OPENROUTER":
      return createOpenRouterProvider(config, options);
    case "OPENAI_COMPATIBLE":
      return createOpenAiCompatibleProvider(config, options);
    case "OFFLINE":
      throw new Error("The offline provider has no HTTP adapter: build it with createOfflineProvider (llm/offline.ts)");
  }
}
