export * from "./queue-email.ts";
export * from "./send-email.ts";
export * from "./templates.ts";
export * from "./transport.ts";
