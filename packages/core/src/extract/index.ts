export * from "./csv.ts";
export * from "./extract-text.ts";
export * from "./html-to-text.ts";
export * from "./ocr.ts";
export * from "./sniff-file-type.ts";
export * from "./types.ts";
export * from "./zip-guard.ts";
