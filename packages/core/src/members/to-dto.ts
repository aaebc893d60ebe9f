import type { InvitationDto, MemberDto } from "@tandem/contracts";
import type { invitations, members, users } from "@tandem/db";

export const memberToDto = (m: typeof members.$inferSelect, u: typeof users.$inferSelect): MemberDto => ({
  id: m.id,
  userId: u.id,
  email: u.email,
  name: u.name,
  role: m.role,
  createdAt: m.createdAt.toISOString(),
});

export const invitationToDto = (i: typeof invitations.$inferSelect, invitedBy: string | null): InvitationDto => ({
  id: i.id,
  email: i.email,
  role: i.role,
  invitedBy,
  expiresAt: i.expiresAt.toISOString(),
  createdAt: i.createdAt.toISOString(),
  emailStatus: i.emailStatus ?? null,
  emailError: i.emailError,
  emailedAt: i.emailedAt?.toISOString() ?? null,
});
