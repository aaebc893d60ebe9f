/**
 * Any server speaking OpenAI Chat Completions at a base URL of its own: DigitalOcean GenAI
 * (`https://inference.do-ai.run/v1`, or an agent's `https://<id>.agents.do-ai.run/api/v1`), Ollama
 * (`http://localhost:11434/v1`), vLLM, LM Studio. The key is optional (Ollama ignores it) and the
 * token limit goes in `max_tokens`, which these servers read. There is no default embedding model:
 * set `embeddingModel` or name one per call.
 */
import { createOpenAiWireProvider } from "./openai.ts";
import type { AdapterOptions } from "./request.ts";
import type { LlmProvider, ProviderConfig } from "./types.ts";

export function createOpenAiCompatibleProvider(config: ProviderConfig, options: AdapterOptions = {}): LlmProvider {
  return createOpenAiWireProvider(config, options, {
    kind: "OPENAI_COMPATIBLE",
    baseUrl: config.baseUrl,
    versionPrefix: "/v1",
    tokenLimitField: "max_tokens",
    keyRequired: false,
  });
}
