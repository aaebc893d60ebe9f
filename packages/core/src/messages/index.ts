export * from "./retry-message.ts";
export * from "./send-agent-message.ts";
