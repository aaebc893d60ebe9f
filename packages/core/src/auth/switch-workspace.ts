import { rooms } from "@tandem/contracts";
import { members, sessions } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { afterCommit, type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { sessionOwner } from "./list-sessions.ts";
import { createSession } from "./sessions.ts";

/**
 * Moves the caller's session to another workspace they belong to. The session is rotated: a new
 * token and id (so a new CSRF token) in the new workspace, keeping the device, address and start —
 * the absolute lifetime does not restart — and the old row is deleted, which disconnects the old
 * workspace's sockets. The next sign-in lands in this workspace. Not a member: "not found".
 */
export async function switchWorkspace(
  ctx: Ctx,
  input: { sessionId: string; workspaceId: string },
): Promise<{ token: string; expiresAt: Date; sessionId: string }> {
  const userId = sessionOwner(ctx);
  return withTransaction(ctx, async (tx) => {
    const [membership] = await tx.db
      .select({ id: members.id })
      .from(members)
      .where(and(eq(members.userId, userId), eq(members.workspaceId, input.workspaceId)))
      .limit(1);
    if (!membership) throw new DomainError("workspace_not_found", "Workspace not found");
    const [old] = await tx.db
      .delete(sessions)
      .where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, userId)))
      .returning();
    if (!old) throw new DomainError("unauthenticated", "Sign in again");
    const next = await createSession(tx.db, {
      userId,
      workspaceId: input.workspaceId,
      ip: ctx.ip ?? old.ip,
      userAgent: old.userAgent,
      createdAt: old.createdAt,
    });
    const { realtime } = ctx;
    if (realtime) afterCommit(tx, () => realtime.disconnect([rooms.session(old.id)]));
    return next;
  });
}
