export * from "./auth.ts";
export * from "./common.ts";
export * from "./conversations.ts";
export * from "./members.ts";
export * from "./permissions.ts";
export * from "./realtime.ts";
export * from "./simulator.ts";
export * from "./tokens.ts";
