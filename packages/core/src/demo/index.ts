export * from "./seed-demo.ts";
export * from "./seed-demo-shopify-store.ts";
