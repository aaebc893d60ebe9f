export * from "./get-conversation-in-workspace.ts";
export * from "./publish.ts";
export * from "./to-dto.ts";
