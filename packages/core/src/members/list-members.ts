import type { MembersResponse } from "@tandem/contracts";
import { invitations, members, users } from "@tandem/db";
import { and, asc, eq, gt, isNull } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "./guard.ts";
import { invitationToDto, memberToDto } from "./to-dto.ts";

export async function listMembers(ctx: Ctx): Promise<MembersResponse> {
  assertActorCan(ctx, "members.manage");
  const memberRows = await ctx.db
    .select({ member: members, user: users })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.workspaceId, ctx.workspaceId))
    .orderBy(asc(members.createdAt));
  const inviteRows = await ctx.db
    .select({ invitation: invitations, inviter: users.email })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedById))
    .where(
      and(
        eq(invitations.workspaceId, ctx.workspaceId),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, new Date()),
      ),
    )
    .orderBy(asc(invitations.createdAt));
  return {
    data: memberRows.map((r) => memberToDto(r.member, r.user)),
    invitations: inviteRows.map((r) => invitationToDto(r.invitation, r.inviter)),
  };
}
