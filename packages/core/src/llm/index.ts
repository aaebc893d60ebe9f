export * from "./create-provider.ts";
export { contentFiltered, errorFromPayload, errorFromResponse, MAX_RETRY_AFTER_MS, parseRetryAfter } from "./errors.ts";
export * from "./gemini.ts";
export * from "./openai.ts";
export * from "./openai-compatible.ts";
export * from "./openrouter.ts";
export {
  type AdapterOptions,
  DEFAULT_LLM_RETRY,
  DEFAULT_LLM_TIMEOUT_MS,
  type LlmBaseUrls,
  type LlmRetryPolicy,
} from "./request.ts";
export * from "./sse.ts";
export * from "./types.ts";
