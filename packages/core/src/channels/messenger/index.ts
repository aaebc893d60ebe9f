export * from "./graph-client.ts";
