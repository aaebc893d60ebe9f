import { CONTACT_ACTIVE_MS } from "@tandem/contracts";
import { contacts, conversations, type Db, rowsOf } from "@tandem/db";
import { and, eq, sql } from "drizzle-orm";
import { publishConversation } from "../conversations/publish.ts";
import type { RealtimePublisher } from "../realtime.ts";

/**
 * A receipt or a reaction shows the customer is around: their contact's `last_seen_at` moves on. When
 * that makes them active again (not seen for `CONTACT_ACTIVE_MS`), the inbox hears of it.
 */
export async function markContactSeen(
  deps: { db: Db; realtime: RealtimePublisher },
  channel: { id: string; workspaceId: string },
  platformUserId: string,
  at: Date,
): Promise<void> {
  const seenAt = at.toISOString();
  const result = await deps.db.execute(sql`
    update ${contacts} c set last_seen_at = ${seenAt}::timestamptz
    from (select id, last_seen_at from ${contacts}
          where channel_id = ${channel.id} and platform_user_id = ${platformUserId}
            and (last_seen_at is null or last_seen_at < ${seenAt}::timestamptz)) before
    where c.id = before.id
    returning c.id, before.last_seen_at as "previous"`);
  const [seen] = rowsOf<{ id: string; previous: string | Date | null }>(result);
  if (!seen) return;
  const wasActive = seen.previous !== null && at.getTime() - new Date(seen.previous).getTime() < CONTACT_ACTIVE_MS;
  if (wasActive) return;
  const [conversation] = await deps.db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.contactId, seen.id), eq(conversations.channelId, channel.id)))
    .limit(1);
  if (conversation) await publishConversation(deps.realtime, deps.db, channel.workspaceId, conversation.id);
}
