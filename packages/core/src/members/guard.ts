import { invitations, members } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { actorRole, type Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertCan, type Permission } from "../policy.ts";

export const assertActorCan = (ctx: Ctx, permission: Permission) => assertCan(actorRole(ctx.actor), permission);

/** A member of the caller's workspace, locked for update; another workspace's member is "not found". */
export async function getMemberInWorkspace(ctx: Ctx, memberId: string) {
  const [row] = await ctx.db
    .select()
    .from(members)
    .where(and(eq(members.id, memberId), eq(members.workspaceId, ctx.workspaceId)))
    .for("update")
    .limit(1);
  if (!row) throw new DomainError("member_not_found", "Member not found");
  return row;
}

/** Locks the workspace's OWNER rows so concurrent demotions cannot remove the last one. */
export async function countOwnersForUpdate(ctx: Ctx): Promise<number> {
  const owners = await ctx.db
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.workspaceId, ctx.workspaceId), eq(members.role, "OWNER")))
    .for("update");
  return owners.length;
}

/** An invitation of the caller's workspace that is still open (neither accepted nor revoked). */
export const pendingInvitationOf = (ctx: Ctx, invitationId: string) =>
  and(
    eq(invitations.id, invitationId),
    eq(invitations.workspaceId, ctx.workspaceId),
    isNull(invitations.acceptedAt),
    isNull(invitations.revokedAt),
  );
