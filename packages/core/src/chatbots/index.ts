export * from "./get-chatbot-in-workspace.ts";
export * from "./playground/index.ts";
export * from "./prompts/index.ts";
