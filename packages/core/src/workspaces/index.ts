export * from "./inbox-settings.ts";
