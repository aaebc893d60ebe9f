export * from "./extract-text.ts";
export * from "./ocr.ts";
export * from "./sniff-file-type.ts";
export * from "./types.ts";
