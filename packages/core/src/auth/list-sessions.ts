import type { SessionDto } from "@tandem/contracts";
import { sessions, workspaces } from "@tandem/db";
import { and, desc, eq, gt, sql } from "drizzle-orm";
import { actorUserId, type Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { SESSION_MAX_AGE_MS } from "./sessions.ts";
import { describeUserAgent } from "./user-agent.ts";

/**
 * The signed-in user whose sessions these are. Only from a session: a personal API token belongs to
 * one workspace's membership and must not list, or end, the account's sessions in every workspace.
 */
export function sessionOwner(ctx: Ctx): string {
  const userId = actorUserId(ctx.actor);
  if (!userId || ctx.actor.type !== "user") {
    throw new DomainError("forbidden", "Manage sessions from a signed-in session, not with an API token");
  }
  return userId;
}

/** The caller's valid sessions, in every workspace, the most recently used first. */
export async function listSessions(ctx: Ctx, input: { currentSessionId?: string | undefined }): Promise<SessionDto[]> {
  const userId = sessionOwner(ctx);
  const now = new Date();
  const rows = await ctx.db
    .select({ session: sessions, workspace: { id: workspaces.id, name: workspaces.name } })
    .from(sessions)
    .leftJoin(workspaces, eq(workspaces.id, sessions.workspaceId))
    .where(
      and(
        eq(sessions.userId, userId),
        gt(sessions.expiresAt, now),
        gt(sessions.createdAt, new Date(now.getTime() - SESSION_MAX_AGE_MS)),
      ),
    )
    .orderBy(desc(sql`coalesce(${sessions.lastSeenAt}, ${sessions.createdAt})`), desc(sessions.id));
  return rows.map(({ session, workspace }) => {
    const device = describeUserAgent(session.userAgent);
    return {
      id: session.id,
      current: session.id === input.currentSessionId,
      device: device.label,
      browser: device.browser,
      os: device.os,
      mobile: device.mobile,
      userAgent: session.userAgent,
      ip: session.ip,
      workspace,
      createdAt: session.createdAt.toISOString(),
      lastSeenAt: session.lastSeenAt?.toISOString() ?? null,
      expiresAt: session.expiresAt.toISOString(),
    };
  });
}
