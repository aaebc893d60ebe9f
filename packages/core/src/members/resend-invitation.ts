import type { InviteMemberResponse } from "@tandem/contracts";
import { invitations } from "@tandem/db";
import { recordAudit } from "../audit/record-audit.ts";
import { newOpaqueToken, sha256 } from "../auth/crypto.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { type MailDeps, mailEnabled } from "../mail/queue-email.ts";
import { assertActorCan, pendingInvitationOf } from "./guard.ts";
import { deliverInvitation, INVITATION_TTL_MS } from "./invite-member.ts";

/**
 * Sends a pending (or expired, not yet accepted or revoked) invitation again. Only hashes of links
 * are stored, so the invitation gets a new link valid for another week and the previous one stops
 * working; the new link is mailed when the installation sends mail, and returned to copy either way.
 */
export async function resendInvitation(
  ctx: Ctx,
  invitationId: string,
  options: { mail: MailDeps },
): Promise<InviteMemberResponse> {
  assertActorCan(ctx, "members.manage");
  const token = newOpaqueToken("inv");
  const row = await withTransaction(ctx, async (tx) => {
    const [updated] = await tx.db
      .update(invitations)
      .set({
        tokenHash: sha256(token),
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
        emailStatus: mailEnabled(options.mail) ? "queued" : null,
        emailError: null,
        emailedAt: null,
      })
      .where(pendingInvitationOf(ctx, invitationId))
      .returning();
    if (!updated) throw new DomainError("invitation_not_found", "Invitation not found");
    await recordAudit(tx, {
      action: "member.resend_invitation",
      entityType: "invitation",
      entityId: updated.id,
      after: { email: updated.email, role: updated.role, emailed: mailEnabled(options.mail) },
    });
    return updated;
  });
  return deliverInvitation(ctx, options.mail, row, token);
}
