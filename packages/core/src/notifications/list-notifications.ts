import type { NotificationList, NotificationQuery } from "@tandem/contracts";
import { notifications } from "@tandem/db";
import { and, count, desc, eq, isNull, type SQL } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { loadNotificationDtos } from "./to-dto.ts";

const LIMIT = 100;

/** The caller's own notifications, newest first (unread only unless asked), with the unread count. */
export async function listNotifications(ctx: Ctx, input: NotificationQuery): Promise<NotificationList> {
  const memberId = callerMemberId(ctx);
  const mine = and(eq(notifications.workspaceId, ctx.workspaceId), eq(notifications.memberId, memberId)) as SQL;
  const unread = and(mine, isNull(notifications.readAt)) as SQL;
  const rows = await ctx.db
    .select()
    .from(notifications)
    .where(input.unread === "true" ? unread : mine)
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(LIMIT);
  const [total] = await ctx.db.select({ n: count() }).from(notifications).where(unread);
  return { data: await loadNotificationDtos(ctx, rows), nextCursor: null, unreadCount: total?.n ?? 0 };
}

export function callerMemberId(ctx: Ctx): string {
  if (ctx.actor.type === "system") throw new DomainError("forbidden", "Notifications belong to a member");
  return ctx.actor.memberId;
}
