import { members, users } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { revokeUserSessions } from "../auth/sessions.ts";
import { actorRole, type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan, countOwnersForUpdate, getMemberInWorkspace } from "./guard.ts";

/**
 * Removes a member; their sessions in this workspace end at once and their sockets are disconnected
 * (after the commit). Their API tokens stop resolving.
 */
export async function removeMember(ctx: Ctx, memberId: string): Promise<void> {
  assertActorCan(ctx, "members.manage");
  await withTransaction(ctx, async (tx) => {
    const member = await getMemberInWorkspace(tx, memberId);
    if (member.role === "OWNER") {
      if (actorRole(ctx.actor) !== "OWNER") throw new DomainError("forbidden", "Only an owner can remove an owner");
      if ((await countOwnersForUpdate(tx)) <= 1) {
        throw new DomainError("last_owner", "The workspace must keep at least one owner");
      }
    }
    const [user] = await tx.db.select({ email: users.email }).from(users).where(eq(users.id, member.userId));
    await tx.db.delete(members).where(eq(members.id, member.id));
    await revokeUserSessions(tx, member.userId, { workspaceId: ctx.workspaceId });
    await recordAudit(tx, {
      action: "member.remove",
      entityType: "member",
      entityId: member.id,
      before: { email: user?.email, role: member.role },
    });
  });
}
