export * from "./get-chatbot-in-workspace.ts";
