export * from "./get-conversation-in-workspace.ts";
