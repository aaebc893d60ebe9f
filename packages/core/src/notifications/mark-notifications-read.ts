import { notifications } from "@tandem/db";
import { and, eq, isNull, type SQL } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { callerMemberId } from "./list-notifications.ts";

/**
 * Marks one of the caller's notifications read (`id`), or all of them; another member's, or another
 * workspace's, is "not found". Marking a read one again changes nothing.
 */
export async function markNotificationsRead(ctx: Ctx, input: { id?: string }): Promise<{ marked: number }> {
  const memberId = callerMemberId(ctx);
  const mine = and(eq(notifications.workspaceId, ctx.workspaceId), eq(notifications.memberId, memberId)) as SQL;
  if (input.id) {
    const [row] = await ctx.db
      .select({ id: notifications.id, readAt: notifications.readAt })
      .from(notifications)
      .where(and(mine, eq(notifications.id, input.id)));
    if (!row) throw new DomainError("notification_not_found", "Notification not found");
    if (row.readAt) return { marked: 0 };
  }
  const updated = await ctx.db
    .update(notifications)
    .set({ readAt: new Date() })
    .where(and(mine, isNull(notifications.readAt), input.id ? eq(notifications.id, input.id) : undefined))
    .returning({ id: notifications.id });
  return { marked: updated.length };
}
