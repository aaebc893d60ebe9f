import { type Db, invitations } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { z } from "zod";

/**
 * The invitation a mail belongs to, with the hash of the link it carries: a mail of a link that was
 * replaced since (the invitation was sent again) no longer changes the row.
 */
export const InvitationMailRef = z.object({ id: z.string().min(1), tokenHash: z.string().min(1) });
export type InvitationMailRef = z.infer<typeof InvitationMailRef>;

export async function markInvitationEmail(
  db: Db,
  ref: InvitationMailRef,
  result: { status: "queued" | "sent" } | { status: "failed"; error: string },
): Promise<void> {
  await db
    .update(invitations)
    .set({
      emailStatus: result.status,
      emailError: result.status === "failed" ? result.error : null,
      ...(result.status === "sent" ? { emailedAt: new Date() } : {}),
    })
    .where(and(eq(invitations.id, ref.id), eq(invitations.tokenHash, ref.tokenHash)));
}
