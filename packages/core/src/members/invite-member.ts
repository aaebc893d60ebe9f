import type { InviteMemberInput, InviteMemberResponse } from "@tandem/contracts";
import { invitations, members, users } from "@tandem/db";
import { and, eq, isNull, sql } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { newOpaqueToken, normalizeEmail, sha256 } from "../auth/crypto.ts";
import { actorRole, actorUserId, type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { type MailDeps, mailEnabled } from "../mail/queue-email.ts";
import { canAssignRole } from "../policy.ts";
import { assertActorCan } from "./guard.ts";
import { invitationUrl, queueInvitationEmail } from "./invitation-email.ts";
import { invitationToDto } from "./to-dto.ts";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Creates a pending invitation and returns its one-time link. A new invitation for the same email
 * replaces the previous pending one (the old link stops working). When the installation sends mail,
 * the link is also mailed to the invitee (`send-email`); the inviter gets the link either way, to
 * copy when there is no mail or the mail does not arrive.
 */
export async function inviteMember(
  ctx: Ctx,
  input: InviteMemberInput,
  options: { mail: MailDeps },
): Promise<InviteMemberResponse> {
  assertActorCan(ctx, "members.manage");
  if (!canAssignRole(actorRole(ctx.actor), input.role)) {
    throw new DomainError("forbidden", "Only an owner can invite another owner");
  }
  const email = normalizeEmail(input.email);
  const mailing = mailEnabled(options.mail);
  const token = newOpaqueToken("inv");
  const row = await withTransaction(ctx, async (tx) => {
    const [existing] = await tx.db
      .select({ id: members.id })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(and(eq(members.workspaceId, ctx.workspaceId), eq(sql`lower(${users.email})`, email)))
      .limit(1);
    if (existing) throw new DomainError("already_member", "This person is already a member of the workspace");

    await tx.db
      .update(invitations)
      .set({ revokedAt: new Date() })
      .where(
        and(
          eq(invitations.workspaceId, ctx.workspaceId),
          eq(sql`lower(${invitations.email})`, email),
          isNull(invitations.acceptedAt),
          isNull(invitations.revokedAt),
        ),
      );
    const [row] = await tx.db
      .insert(invitations)
      .values({
        workspaceId: ctx.workspaceId,
        email,
        role: input.role,
        tokenHash: sha256(token),
        invitedById: actorUserId(ctx.actor),
        expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
        emailStatus: mailing ? "queued" : null,
      })
      .returning();
    await recordAudit(tx, {
      action: "member.invite",
      entityType: "invitation",
      entityId: row!.id,
      after: { email, role: input.role, emailed: mailing },
    });
    return row!;
  });
  return deliverInvitation(ctx, options.mail, row, token);
}

/** Mails the link when the installation sends mail, and answers with the row as it is now and the link. */
export async function deliverInvitation(
  ctx: Ctx,
  mail: MailDeps,
  row: typeof invitations.$inferSelect,
  token: string,
): Promise<InviteMemberResponse> {
  const emailed = mailEnabled(mail) && (await queueInvitationEmail(ctx, mail, row, token));
  const [current] = await ctx.db.select().from(invitations).where(eq(invitations.id, row.id));
  return {
    invitation: invitationToDto(current ?? row, null),
    inviteUrl: invitationUrl(mail.config.appUrl, token),
    emailed,
  };
}
