export * from "./access-token.ts";
export * from "./errors.ts";
export * from "./jobs.ts";
export * from "./shop-url.ts";
export * from "./shopify-api.ts";
export * from "./shopify-client.ts";
