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

/** The invitation link is returned once, to be shared with the invitee (no mail server is assumed). */
export const InviteMemberResponse = z.object({
  invitation: InvitationDto,
  inviteUrl: z.string(),
});
export type InviteMemberResponse = z.infer<typeof InviteMemberResponse>;

export const UpdateMemberInput = z.object({ role: Role });
export type UpdateMemberInput = z.infer<typeof UpdateMemberInput>;
