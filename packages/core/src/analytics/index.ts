export * from "./analytics-settings.ts";
export * from "./analytics-settings-of.ts";
export * from "./get-analytics.ts";
export * from "./model-prices.ts";
export * from "./prune-query-embeddings.ts";
export * from "./refresh-analytics.ts";
export * from "./rollups.ts";
