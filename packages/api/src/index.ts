export * from "./app.ts";
export { ERROR_STATUS, statusForCode } from "./error-codes.ts";
export { createHttpServer } from "./http-server.ts";
export { isSameOrigin } from "./middleware/auth.ts";
export { clientIp } from "./middleware/request-context.ts";
export type { AppEnv, AuthState } from "./types.ts";
export { createApiListener } from "./webhook-fast-path.ts";
