export * from "./csv.ts";
export * from "./export-message-log-csv.ts";
export * from "./list-message-log.ts";
