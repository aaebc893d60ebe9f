export * from "./allowed-origin.ts";
export * from "./public-chatbot.ts";
export * from "./visitor-token.ts";
