export * from "./app.ts";
export type { LlmSimulatorOptions } from "./common.ts";
export { embedText } from "./embed.ts";
export * from "./errors.ts";
export * from "./gemini.ts";
export * from "./openai.ts";
export * from "./replies.ts";
export * from "./state.ts";
