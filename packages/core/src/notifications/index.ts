export * from "./list-notifications.ts";
export * from "./mark-notifications-read.ts";
export * from "./notify-mentions.ts";
