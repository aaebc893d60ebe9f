export * from "./customer/messenger.ts";
export * from "./graph/index.ts";
export * from "./llm/index.ts";
export * from "./llm/serve.ts";
export * from "./mail/index.ts";
export * from "./simulator.ts";
