import type { AcceptInvitationInput, Role } from "@tandem/contracts";
import { type Db, invitations, members, users, workspaces } from "@tandem/db";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { DomainError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import { hashPassword, sha256, verifyPassword } from "./crypto.ts";
import { createSession } from "./sessions.ts";

async function findPendingInvitation(db: Db, token: string) {
  const [row] = await db
    .select({ invitation: invitations, workspaceName: workspaces.name })
    .from(invitations)
    .innerJoin(workspaces, eq(workspaces.id, invitations.workspaceId))
    .where(
      and(
        eq(invitations.tokenHash, sha256(token)),
        isNull(invitations.acceptedAt),
        isNull(invitations.revokedAt),
        gt(invitations.expiresAt, new Date()),
      ),
    )
    .limit(1);
  return row ?? null;
}

export async function getInvitationByToken(
  db: Db,
  token: string,
): Promise<{ email: string; role: Role; workspaceName: string; expiresAt: string; existingAccount: boolean }> {
  const row = await findPendingInvitation(db, token);
  if (!row) throw new DomainError("invitation_not_found", "This invitation is invalid, expired or already used");
  const [user] = await db
    .select({ id: users.id })
    .from(users)
    .where(eq(sql`lower(${users.email})`, row.invitation.email.toLowerCase()))
    .limit(1);
  return {
    email: row.invitation.email,
    role: row.invitation.role,
    workspaceName: row.workspaceName,
    expiresAt: row.invitation.expiresAt.toISOString(),
    existingAccount: Boolean(user),
  };
}

/**
 * Accepts an invitation. A new email gets an account with the given password; an existing account
 * must prove itself with its current password. Returns a session in the invited workspace.
 */
export async function acceptInvitation(
  deps: { db: Db; log: Logger },
  input: AcceptInvitationInput & { ip?: string | undefined; userAgent?: string | undefined },
) {
  return deps.db.transaction(async (tx) => {
    const db = tx as unknown as Db;
    const row = await findPendingInvitation(db, input.token);
    if (!row) throw new DomainError("invitation_not_found", "This invitation is invalid, expired or already used");
    const { invitation } = row;

    let [user] = await db
      .select()
      .from(users)
      .where(eq(sql`lower(${users.email})`, invitation.email.toLowerCase()))
      .limit(1);
    if (user) {
      if (!user.passwordHash || !(await verifyPassword(input.password, user.passwordHash))) {
        throw new DomainError("invalid_credentials", "This email already has an account: enter its current password");
      }
    } else {
      [user] = await db
        .insert(users)
        .values({ email: invitation.email, name: input.name ?? null, passwordHash: await hashPassword(input.password) })
        .returning();
    }
    const [member] = await db
      .insert(members)
      .values({ workspaceId: invitation.workspaceId, userId: user!.id, role: invitation.role })
      .onConflictDoNothing()
      .returning();
    await db.update(invitations).set({ acceptedAt: new Date() }).where(eq(invitations.id, invitation.id));
    await recordAudit(
      {
        db,
        workspaceId: invitation.workspaceId,
        actor: { type: "user", userId: user!.id, memberId: member?.id ?? "", role: invitation.role },
        log: deps.log,
        ip: input.ip,
        userAgent: input.userAgent,
      },
      {
        action: "member.join",
        entityType: "member",
        entityId: member?.id ?? null,
        after: { email: invitation.email, role: invitation.role },
      },
    );
    const session = await createSession(db, {
      userId: user!.id,
      workspaceId: invitation.workspaceId,
      ip: input.ip,
      userAgent: input.userAgent,
    });
    return { ...session, userId: user!.id, workspaceId: invitation.workspaceId };
  });
}
