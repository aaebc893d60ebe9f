export * from "./list-audit-log.ts";
export * from "./list-audit-log-filters.ts";
export * from "./prune-audit-log.ts";
export * from "./record-audit.ts";
export * from "./record-export.ts";
export * from "./redact-secrets.ts";
