export * from "./get-chatbot-in-workspace.ts";
export * from "./prompts/index.ts";
