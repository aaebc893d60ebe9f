export * from "./control.ts";
export * from "./mailbox.ts";
export * from "./smtp.ts";
