export * from "./app.ts";
export * from "./control.ts";
export * from "./demo.ts";
export { type GraphqlContext, gid, parseGid } from "./schema.ts";
export * from "./state.ts";
export * from "./webhooks.ts";
