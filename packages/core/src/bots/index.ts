export * from "./generate-bot-reply.ts";
export * from "./offline-answer.ts";
