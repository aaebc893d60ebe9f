export * from "./app.ts";
export * from "./control.ts";
export * from "./errors.ts";
export * from "./media.ts";
export * from "./signature.ts";
export * from "./state.ts";
export * from "./validate.ts";
