import type { AcceptInvitationInput, Role } from "@tandem/contracts";
import { type Db, invitations, members, users, workspaces } from "@tandem/db";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { DomainError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { RateLimiter } from "../rate-limit/limiter.ts";
import { hashPassword, normalizeEmail, sha256, verifyPassword } from "./crypto.ts";
import { countPasswordAttempt } from "./password-attempts.ts";
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
  if (!row) throw invitationNotFound();
  const user = await findUserByEmail(db, normalizeEmail(row.invitation.email));
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
 * must prove itself with its current password — a guess counted like a sign-in (429 after five per
 * account, thirty per address). Returns a session in the invited workspace. The password is hashed
 * or verified before the transaction, never inside it.
 */
export async function acceptInvitation(
  deps: { db: Db; log: Logger; limiter: RateLimiter },
  input: AcceptInvitationInput & { ip?: string | undefined; userAgent?: string | undefined },
) {
  const pending = await findPendingInvitation(deps.db, input.token);
  if (!pending) throw invitationNotFound();
  const email = normalizeEmail(pending.invitation.email);
  const existing = await findUserByEmail(deps.db, email);
  let newPasswordHash: string | null = null;
  if (existing) {
    const attempt = await countPasswordAttempt(deps.limiter, { email, ip: input.ip });
    if (!existing.passwordHash || !(await verifyPassword(input.password, existing.passwordHash))) {
      throw new DomainError("invalid_credentials", "This email already has an account: enter its current password");
    }
    await attempt.succeeded();
  } else {
    newPasswordHash = await hashPassword(input.password);
  }

  return deps.db.transaction(async (tx) => {
    const db = tx as unknown as Db;
    // Checked again under a row lock: a second click on "Accept" finds it used.
    const [invitation] = await db
      .select()
      .from(invitations)
      .where(
        and(eq(invitations.id, pending.invitation.id), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)),
      )
      .for("update");
    if (!invitation) throw invitationNotFound();

    let user = await findUserByEmail(db, email);
    if (user?.id !== existing?.id) {
      // The account appeared or disappeared between the password check and now.
      throw new DomainError("conflict", "This account changed while the invitation was being accepted: try again");
    }
    if (!user) {
      [user] = await db
        .insert(users)
        .values({ email: invitation.email, name: input.name ?? null, passwordHash: newPasswordHash })
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

const invitationNotFound = () =>
  new DomainError("invitation_not_found", "This invitation is invalid, expired or already used");

async function findUserByEmail(db: Db, email: string) {
  const [user] = await db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email))
    .limit(1);
  return user;
}
