import type { BulkUpdateConversationsInput, BulkUpdateConversationsResponse } from "@tandem/contracts";
import { conversations } from "@tandem/db";
import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { emitConversation } from "./notify.ts";
import { normalizeTags } from "./tags.ts";
import { loadConversationDtos } from "./to-dto.ts";
import { assertAssignable } from "./update-conversation.ts";

/**
 * One action on several conversations of the inbox, from the list's selection: close, reopen,
 * assign (or unassign), add or remove tags, mark unread or read. One UPDATE for all of them; ids
 * that are not inbox conversations of this workspace (another workspace's, a playground's, unknown)
 * change nothing and come back in `notFound`. A bad assignee refuses the whole request.
 */
export async function bulkUpdateConversations(
  ctx: Ctx,
  input: BulkUpdateConversationsInput,
): Promise<BulkUpdateConversationsResponse> {
  assertActorCan(ctx, "conversations.work");
  const ids = [...new Set(input.conversationIds)];
  const c = conversations;
  let set: Partial<Record<keyof typeof c.$inferInsert, unknown>>;
  switch (input.action) {
    case "close":
      // As for one conversation: closing answers "needs a person".
      set = { status: "CLOSED", snoozedUntil: null, needsHuman: false };
      break;
    case "reopen":
      set = { status: "OPEN", snoozedUntil: null };
      break;
    case "assign":
      if (input.assigneeId !== null) await assertAssignable(ctx, input.assigneeId);
      set = { assigneeId: input.assigneeId };
      break;
    case "addTags": {
      const tags = normalizeTags(input.tags);
      // Appended in the order given, each once.
      set = {
        tags: sql`array(select t from unnest(${c.tags} || ${sql.param(tags)}::text[]) with ordinality as u(t, n) group by t order by min(n))`,
      };
      break;
    }
    case "removeTags":
      set = {
        tags: sql`array(select t from unnest(${c.tags}) with ordinality as u(t, n) where t <> all(${sql.param(normalizeTags(input.tags))}::text[]) order by n)`,
      };
      break;
    case "markUnread":
      set = { unreadCount: sql`greatest(${c.unreadCount}, 1)` };
      break;
    case "markRead":
      set = { unreadCount: 0 };
      break;
  }
  const where: SQL = and(eq(c.workspaceId, ctx.workspaceId), eq(c.isPlayground, false), inArray(c.id, ids))!;
  const changed = await ctx.db
    .update(c)
    .set({ ...set, updatedAt: new Date() } as typeof c.$inferInsert)
    .where(where)
    .returning({ id: c.id });
  const found = new Set(changed.map((r) => r.id));
  const data = await loadConversationDtos(
    ctx.db,
    ctx.workspaceId,
    ids.filter((id) => found.has(id)),
  );
  for (const dto of data) emitConversation(ctx, dto);
  return { data, notFound: ids.filter((id) => !found.has(id)) };
}
