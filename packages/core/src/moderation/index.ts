export * from "./detectors.ts";
export * from "./flag-message.ts";
export * from "./flag-stored-message.ts";
export * from "./list-flags.ts";
export * from "./message-moderation.ts";
export * from "./moderation-settings.ts";
export * from "./review-flag.ts";
