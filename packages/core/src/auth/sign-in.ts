import type { SignInInput } from "@tandem/contracts";
import { type Db, members, users } from "@tandem/db";
import { and, asc, eq, sql } from "drizzle-orm";
import { writeAuditRow } from "../audit/record-audit.ts";
import { DomainError } from "../errors.ts";
import type { RateLimiter } from "../rate-limit/limiter.ts";
import { getDummyHash, hashPassword, needsRehash, normalizeEmail, verifyPassword } from "./crypto.ts";
import { countPasswordAttempt } from "./password-attempts.ts";
import { createSession } from "./sessions.ts";

export { LOGIN_LIMITS } from "./password-attempts.ts";

export interface SignInDeps {
  db: Db;
  limiter: RateLimiter;
}

export async function signIn(
  deps: SignInDeps,
  input: SignInInput & { ip?: string | undefined; userAgent?: string | undefined; requestId?: string | undefined },
): Promise<{ token: string; expiresAt: Date; sessionId: string; userId: string; workspaceId: string }> {
  const email = normalizeEmail(input.email);
  const attempt = await countPasswordAttempt(deps.limiter, { email, ip: input.ip });

  const [user] = await deps.db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email))
    .limit(1);
  // Verify against a dummy hash for unknown emails so the response time does not reveal them.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await getDummyHash()));
  if (!user?.passwordHash || !ok) {
    if (user) await auditSignIn(deps.db, input, user.id, "user.sign_in_failed");
    throw new DomainError("invalid_credentials", "Email or password is incorrect");
  }

  // The workspace they last worked in (switched to, joined, signed in to), else their oldest membership.
  const memberships = await deps.db
    .select({ workspaceId: members.workspaceId })
    .from(members)
    .where(eq(members.userId, user.id))
    .orderBy(asc(members.createdAt));
  const membership = memberships.find((m) => m.workspaceId === user.lastWorkspaceId) ?? memberships[0];
  if (!membership) throw new DomainError("no_workspace", "This account is not a member of any workspace");

  await attempt.succeeded();
  // A hash made with weaker parameters than today's is replaced now that the password is known. Only
  // if the password is still the one just verified: a reset or change that landed meanwhile ended
  // every session, and this sign-in (with the old password) must not start a new one or write the
  // old password back.
  const rehashed = needsRehash(user.passwordHash) ? { passwordHash: await hashPassword(input.password) } : {};
  const [current] = await deps.db
    .update(users)
    .set({ lastSeenAt: new Date(), ...rehashed })
    .where(and(eq(users.id, user.id), eq(users.passwordHash, user.passwordHash)))
    .returning({ id: users.id });
  if (!current) throw new DomainError("invalid_credentials", "Email or password is incorrect");
  const session = await createSession(deps.db, {
    userId: user.id,
    workspaceId: membership.workspaceId,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  await auditSignIn(deps.db, input, user.id, "user.sign_in", membership.workspaceId);
  return { ...session, userId: user.id, workspaceId: membership.workspaceId };
}

/**
 * A sign-in in the audit log of the workspace it opened; a failed one (a wrong password for an
 * existing account) in every workspace of that account, so its admins see someone guessing. Never
 * the password; a guess refused by the rate limit is not written (it never reached the password).
 */
async function auditSignIn(
  db: Db,
  input: { ip?: string | undefined; userAgent?: string | undefined; requestId?: string | undefined },
  userId: string,
  action: "user.sign_in" | "user.sign_in_failed",
  workspaceId?: string,
): Promise<void> {
  const workspaceIds = workspaceId
    ? [workspaceId]
    : (await db.select({ workspaceId: members.workspaceId }).from(members).where(eq(members.userId, userId))).map(
        (m) => m.workspaceId,
      );
  for (const id of workspaceIds) {
    await writeAuditRow(
      db,
      { workspaceId: id, actorType: "user", actorUserId: userId, ...input },
      { action, entityType: "user", entityId: userId },
    );
  }
}
