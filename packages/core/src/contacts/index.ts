export * from "./contact-details.ts";
