import { type MessageModeration, WIDGET_SOCKET } from "@tandem/contracts";
import { channels, contacts, conversations, type Db, moderationFlags } from "@tandem/db";
import { and, eq, type SQL, sql } from "drizzle-orm";
import { afterCommit, type Ctx } from "../context.ts";
import { publishMessage } from "../conversations/publish.ts";

/**
 * A message's flags folded into the inbox's `MessageDto.moderation`: one aggregate row per message,
 * read through `moderation_flag_message_idx` (a lateral join in `listMessages`).
 */
export function moderationSummaryQuery(db: Db, workspaceId: string, messageId: SQL | string) {
  return db
    .select({
      total: sql<number>`count(*)::int`.as("flag_total"),
      open: sql<number>`count(*) filter (where not ${moderationFlags.reviewed})::int`.as("flag_open"),
      removed: sql<boolean>`coalesce(bool_or(${moderationFlags.decision} = 'removed'), false)`.as("flag_removed"),
      escalated:
        sql<boolean>`coalesce(bool_or(${moderationFlags.decision} = 'escalated' and not ${moderationFlags.reviewed}), false)`.as(
          "flag_escalated",
        ),
      types: sql<string[]>`coalesce(array_agg(distinct ${moderationFlags.flagType}), '{}')`.as("flag_types"),
    })
    .from(moderationFlags)
    .where(and(eq(moderationFlags.messageId, messageId), eq(moderationFlags.workspaceId, workspaceId)));
}

export interface ModerationAggregate {
  total: number;
  open: number;
  removed: boolean;
  escalated: boolean;
  types: string[];
}

/** The DTO's `moderation`: absent while the message has no flag. */
export function toMessageModeration(row: ModerationAggregate | null | undefined): MessageModeration | undefined {
  if (!row?.total) return undefined;
  const state = row.removed ? "removed" : row.escalated ? "escalated" : row.open > 0 ? "flagged" : "approved";
  return { state, types: [...row.types].sort(), openCount: row.open };
}

/** One message's moderation, for a caller that publishes the message again after a flag changed. */
export async function loadMessageModeration(
  db: Db,
  workspaceId: string,
  messageId: string,
): Promise<MessageModeration | undefined> {
  const [row] = await moderationSummaryQuery(db, workspaceId, messageId);
  return toMessageModeration(row);
}

/** The message again, with its new moderation state, to the inbox's sockets. */
export async function publishModeration(ctx: Ctx, message: Parameters<typeof publishMessage>[2]): Promise<void> {
  const realtime = ctx.realtime;
  if (!realtime) return;
  const moderation = await loadMessageModeration(ctx.db, ctx.workspaceId, message.id);
  afterCommit(ctx, () => publishMessage(realtime, ctx.workspaceId, message, "updated", undefined, moderation));
}

/**
 * A removed message leaves the customer's live connection too: on channels that deliver through ours
 * (`realtimeRoom`: the widget), `message.removed` `{id}` goes to the customer's session, so an open
 * widget drops it at once (its history already hides it: `customerVisible`). Published after the
 * commit; nothing for Messenger or LINE, whose apps cannot be reached back.
 */
export async function withdrawFromCustomer(ctx: Ctx, message: { id: string; conversationId: string }): Promise<void> {
  const realtime = ctx.realtime;
  if (!realtime || !ctx.channels) return;
  const [row] = await ctx.db
    .select({ channel: channels, platformUserId: contacts.platformUserId })
    .from(conversations)
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(conversations.id, message.conversationId), eq(conversations.workspaceId, ctx.workspaceId)))
    .limit(1);
  const room = row ? ctx.channels.find(row.channel.type)?.realtimeRoom?.(row.channel, row.platformUserId) : undefined;
  if (!room) return;
  afterCommit(ctx, () => realtime.emit(room, WIDGET_SOCKET.events.messageRemoved, { id: message.id }));
}
