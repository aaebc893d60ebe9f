export * from "./get-chatbot-in-workspace.ts";
export * from "./playground/index.ts";
