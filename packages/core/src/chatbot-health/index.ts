export * from "./get-chatbot-health.ts";
export * from "./prune-chatbot-errors.ts";
export * from "./record-chatbot-error.ts";
export * from "./record-retrieval-failure.ts";
