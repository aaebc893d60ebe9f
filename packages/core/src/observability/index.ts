export * from "./error-reporting.ts";
export * from "./job-spans.ts";
export * from "./metrics.ts";
export * from "./metrics-server.ts";
export * from "./scrape-metrics.ts";
export * from "./scrub.ts";
export * from "./start-observability.ts";
export * from "./tracing.ts";
