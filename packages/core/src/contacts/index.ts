export * from "./contact-details.ts";
export * from "./erase-contacts.ts";
