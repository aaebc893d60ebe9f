export * from "./generate-system-prompt.ts";
export * from "./get-prompt-generation.ts";
export * from "./start-prompt-generation.ts";
export * from "./to-dto.ts";
export * from "./upload-store.ts";
export * from "./write-prompt.ts";
