export * from "./customer/line.ts";
export * from "./customer/messenger.ts";
export * from "./graph/index.ts";
export * from "./line/index.ts";
export * from "./llm/index.ts";
export * from "./llm/serve.ts";
export * from "./mail/index.ts";
export * from "./simulator.ts";
