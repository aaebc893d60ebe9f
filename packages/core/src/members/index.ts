export { getMemberInWorkspace } from "./guard.ts";
export * from "./invite-member.ts";
export * from "./list-members.ts";
export * from "./record-member-presence.ts";
export * from "./remove-member.ts";
export * from "./resend-invitation.ts";
export * from "./revoke-invitation.ts";
export * from "./update-member-role.ts";
