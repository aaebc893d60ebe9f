export * from "./seed-demo.ts";
