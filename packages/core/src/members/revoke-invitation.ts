import { invitations } from "@tandem/db";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan, pendingInvitationOf } from "./guard.ts";

export async function revokeInvitation(ctx: Ctx, invitationId: string): Promise<void> {
  assertActorCan(ctx, "members.manage");
  await withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(pendingInvitationOf(ctx, invitationId))
      .returning();
    if (!row) throw new DomainError("invitation_not_found", "Invitation not found");
    await recordAudit(tx, {
      action: "member.revoke_invitation",
      entityType: "invitation",
      entityId: row.id,
      before: { email: row.email, role: row.role },
    });
  });
}
