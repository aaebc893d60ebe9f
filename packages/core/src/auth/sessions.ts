import type { Role } from "@tandem/contracts";
import { type Db, members, sessions, users, workspaces } from "@tandem/db";
import { and, eq, gt, lt, ne } from "drizzle-orm";
import { hmac, newOpaqueToken, sha256 } from "./crypto.ts";

export const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** A session's expiry slides forward when it is used after this much of its life has passed. */
const SESSION_REFRESH_AFTER_MS = 24 * 60 * 60 * 1000;

export interface AuthenticatedSession {
  sessionId: string;
  user: { id: string; email: string; name: string | null };
  workspace: { id: string; name: string };
  memberId: string;
  role: Role;
  expiresAt: Date;
}

export async function createSession(
  db: Db,
  input: { userId: string; workspaceId: string; ip?: string | undefined; userAgent?: string | undefined },
): Promise<{ token: string; expiresAt: Date; sessionId: string }> {
  const token = newOpaqueToken("ses");
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  const [row] = await db
    .insert(sessions)
    .values({
      tokenHash: sha256(token),
      userId: input.userId,
      workspaceId: input.workspaceId,
      expiresAt,
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 400) ?? null,
    })
    .returning({ id: sessions.id });
  return { token, expiresAt, sessionId: row!.id };
}

/** Resolves a session cookie to the user and their membership of the session's workspace. */
export async function resolveSession(db: Db, token: string): Promise<AuthenticatedSession | null> {
  if (!token || token.length > 200) return null;
  const now = new Date();
  const [row] = await db
    .select({
      sessionId: sessions.id,
      expiresAt: sessions.expiresAt,
      userId: users.id,
      email: users.email,
      name: users.name,
      workspaceId: workspaces.id,
      workspaceName: workspaces.name,
      memberId: members.id,
      role: members.role,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(workspaces, eq(workspaces.id, sessions.workspaceId))
    .innerJoin(members, and(eq(members.workspaceId, sessions.workspaceId), eq(members.userId, sessions.userId)))
    .where(and(eq(sessions.tokenHash, sha256(token)), gt(sessions.expiresAt, now)))
    .limit(1);
  if (!row) return null;

  let expiresAt = row.expiresAt;
  if (expiresAt.getTime() - now.getTime() < SESSION_TTL_MS - SESSION_REFRESH_AFTER_MS) {
    expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
    await db.update(sessions).set({ expiresAt }).where(eq(sessions.id, row.sessionId));
  }
  return {
    sessionId: row.sessionId,
    user: { id: row.userId, email: row.email, name: row.name },
    workspace: { id: row.workspaceId, name: row.workspaceName },
    memberId: row.memberId,
    role: row.role,
    expiresAt,
  };
}

export async function revokeSession(db: Db, token: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.tokenHash, sha256(token)));
}

/**
 * Ends a user's sessions: in one workspace, or everywhere. `exceptSessionId` keeps the caller's own
 * session (a password change signs out every other device).
 */
export async function revokeUserSessions(
  db: Db,
  userId: string,
  workspaceId?: string,
  options: { exceptSessionId?: string } = {},
): Promise<void> {
  await db
    .delete(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        workspaceId ? eq(sessions.workspaceId, workspaceId) : undefined,
        options.exceptSessionId ? ne(sessions.id, options.exceptSessionId) : undefined,
      ),
    );
}

export async function deleteExpiredSessions(db: Db): Promise<void> {
  await db.delete(sessions).where(lt(sessions.expiresAt, new Date()));
}

/** CSRF token bound to the session: HMAC(secret, session id). Nothing to store, useless without the cookie. */
export const csrfTokenFor = (secret: string, sessionId: string) => hmac(secret, `csrf:${sessionId}`);
