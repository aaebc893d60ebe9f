export type { ExpectedVersion, PromptChangeResult } from "./change-prompt.ts";
export * from "./get-prompt.ts";
export * from "./get-prompt-version.ts";
export * from "./list-prompt-history.ts";
export * from "./rollback-prompt.ts";
export { promptEtag } from "./to-dto.ts";
export * from "./update-prompt.ts";
