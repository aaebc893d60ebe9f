export * from "./customer/messenger.ts";
export * from "./graph/index.ts";
export * from "./simulator.ts";
