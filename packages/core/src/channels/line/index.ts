export * from "./client.ts";
export * from "./errors.ts";
export * from "./messages.ts";
export * from "./signature.ts";
export * from "./webhook.ts";
