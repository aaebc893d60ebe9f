export * from "./chat-in-playground.ts";
export * from "./compare-in-playground.ts";
export * from "./create-playground-session.ts";
export * from "./end-playground-session.ts";
export * from "./get-playground-session.ts";
export * from "./get-playground-session-in-workspace.ts";
export * from "./resolve-playground-config.ts";
