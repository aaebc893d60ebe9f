export * from "./keyring.ts";
