import { type MemberDto, rooms, type UpdateMemberInput } from "@tandem/contracts";
import { members, users } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { actorRole, afterCommit, type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { canAssignRole } from "../policy.ts";
import { assertActorCan, countOwnersForUpdate, getMemberInWorkspace } from "./guard.ts";
import { memberToDto } from "./to-dto.ts";

/**
 * Changes a member's role. Their open sockets are disconnected once it commits: the dashboard
 * reconnects under the new role and reloads what the role may see.
 */
export async function updateMemberRole(ctx: Ctx, memberId: string, input: UpdateMemberInput): Promise<MemberDto> {
  assertActorCan(ctx, "members.manage");
  return withTransaction(ctx, async (tx) => {
    const member = await getMemberInWorkspace(tx, memberId);
    const role = actorRole(ctx.actor);
    // Granting or taking away OWNER is an owner's decision.
    if (!canAssignRole(role, input.role) || (member.role === "OWNER" && role !== "OWNER")) {
      throw new DomainError("forbidden", "Only an owner can change an owner's role or make someone an owner");
    }
    if (member.role === "OWNER" && input.role !== "OWNER" && (await countOwnersForUpdate(tx)) <= 1) {
      throw new DomainError("last_owner", "The workspace must keep at least one owner");
    }
    const [updated] = await tx.db
      .update(members)
      .set({ role: input.role })
      .where(eq(members.id, member.id))
      .returning();
    const [user] = await tx.db.select().from(users).where(eq(users.id, member.userId));
    await recordAudit(tx, {
      action: "member.update_role",
      entityType: "member",
      entityId: member.id,
      before: { role: member.role },
      after: { role: input.role },
    });
    const { realtime } = ctx;
    if (realtime && member.role !== input.role) afterCommit(tx, () => realtime.disconnect([rooms.member(member.id)]));
    return memberToDto(updated!, user!);
  });
}
