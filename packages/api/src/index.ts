export * from "./app.ts";
export { statusForCode } from "./errors.ts";
export { createHttpServer } from "./http-server.ts";
export type { AppEnv, AuthState } from "./types.ts";
export { createApiListener } from "./webhook-fast-path.ts";
