export * from "./create-canned-response.ts";
export * from "./delete-canned-response.ts";
export * from "./get-canned-response-in-workspace.ts";
export * from "./list-canned-responses.ts";
export * from "./update-canned-response.ts";
