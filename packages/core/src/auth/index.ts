export * from "./api-tokens.ts";
export { hashPassword, normalizeEmail, safeEqual, verifyPassword } from "./crypto.ts";
export * from "./invitations.ts";
export * from "./sessions.ts";
export * from "./setup.ts";
export * from "./sign-in.ts";
