import { type invitations, users, workspaces } from "@tandem/db";
import { eq } from "drizzle-orm";
import { actorUserId, type Ctx } from "../context.ts";
import { describeError } from "../jobs/errors.ts";
import { type MailDeps, queueEmail } from "../mail/queue-email.ts";
import { markInvitationEmail } from "./invitation-email-status.ts";

export const invitationUrl = (appUrl: string, token: string) => `${appUrl}/invite/${encodeURIComponent(token)}`;

/**
 * Mails an invitation's link, after the transaction that created it committed. The row says where
 * the mail is (`queued` → `sent` / `failed`); a queue that refuses the job marks it `failed` at once,
 * and the inviter still has the link to copy. Returns whether a mail was queued.
 */
export async function queueInvitationEmail(
  ctx: Ctx,
  mail: MailDeps,
  invitation: typeof invitations.$inferSelect,
  token: string,
): Promise<boolean> {
  const [workspace] = await ctx.db
    .select({ name: workspaces.name })
    .from(workspaces)
    .where(eq(workspaces.id, invitation.workspaceId));
  const inviterId = actorUserId(ctx.actor);
  const [inviter] = inviterId
    ? await ctx.db.select({ name: users.name, email: users.email }).from(users).where(eq(users.id, inviterId))
    : [];
  const ref = { id: invitation.id, tokenHash: invitation.tokenHash };
  try {
    return await queueEmail(
      mail,
      invitation.email,
      {
        template: "invitation",
        workspaceName: workspace?.name ?? "a workspace",
        inviterName: inviter ? (inviter.name ?? inviter.email) : null,
        role: invitation.role,
        link: invitationUrl(mail.config.appUrl, token),
        expiresAt: invitation.expiresAt.toISOString(),
      },
      { jobId: `email:invitation:${invitation.id}:${invitation.tokenHash.slice(0, 16)}`, invitation: ref },
    );
  } catch (error) {
    ctx.log.error({ err: error, invitationId: invitation.id }, "could not queue the invitation mail");
    await markInvitationEmail(ctx.db, ref, {
      status: "failed",
      error: `The mail could not be queued: ${describeError(error)}`,
    });
    return false;
  }
}
