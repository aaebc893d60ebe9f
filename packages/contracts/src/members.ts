import { z } from "zod";
import { Role } from "./common.ts";

export const MemberDto = z.object({
  id: z.string(),
  userId: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: Role,
  createdAt: z.string(),
});
export type MemberDto = z.infer<typeof MemberDto>;

export const InvitationDto = z.object({
  id: z.string(),
  email: z.string(),
  role: Role,
  invitedBy: z.string().nullable(),
  expiresAt: z.string(),
  createdAt: z.string(),
  /** The mail of the current link: `queued`, `sent`, `failed`; null when it was not mailed (no mail configured). */
  emailStatus: z.enum(["queued", "sent", "failed"]).nullable(),
  /** Why the mail failed (the mail server's reply), for `failed`. */
  emailError: z.string().nullable(),
  emailedAt: z.string().nullable(),
});
export type InvitationDto = z.infer<typeof InvitationDto>;

export const MembersResponse = z.object({
  data: z.array(MemberDto),
  invitations: z.array(InvitationDto),
});
export type MembersResponse = z.infer<typeof MembersResponse>;

export const InviteMemberInput = z.object({
  email: z.string().trim().email().max(320),
  role: Role,
});
export type InviteMemberInput = z.infer<typeof InviteMemberInput>;

/**
 * The invitation link is returned once, to be shared with the invitee; `emailed` tells whether it
 * was also queued as a mail to them (the installation sends mail).
 */
export const InviteMemberResponse = z.object({
  invitation: InvitationDto,
  inviteUrl: z.string(),
  emailed: z.boolean(),
});
export type InviteMemberResponse = z.infer<typeof InviteMemberResponse>;

export const UpdateMemberInput = z.object({ role: Role });
export type UpdateMemberInput = z.infer<typeof UpdateMemberInput>;
