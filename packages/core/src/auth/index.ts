export * from "./api-tokens.ts";
export * from "./change-password.ts";
export { hashPassword, normalizeEmail, safeEqual, verifyPassword } from "./crypto.ts";
export * from "./invitations.ts";
export * from "./request-password-reset.ts";
export * from "./reset-password.ts";
export * from "./sessions.ts";
export * from "./setup.ts";
export * from "./sign-in.ts";
