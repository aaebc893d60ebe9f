import type { MessageLogQuery, MessageLogResponse } from "@tandem/contracts";
import type { Ctx } from "../context.ts";
import { decodeCursor, pageOf } from "../conversations/cursor.ts";
import { assertActorCan } from "../members/guard.ts";
import { logConditions, queryMessageLog } from "./query-message-log.ts";

/** How many of the newest messages a text search probes one by one before it asks the GIN index. */
export const LOG_TEXT_SCAN_WINDOW = 5000;

/**
 * `GET /api/v1/logs/messages`: one page of the workspace's messages, newest first.
 *
 * A text search takes the cheaper of two plans, as the inbox's does: PostgreSQL's guess for "the
 * newest 50 messages containing this" is often far off, worst for Thai, whose bigrams are each
 * common (ANDing their long GIN lists took over a second at 100,000 messages, bench/logs). So it
 * first probes the newest LOG_TEXT_SCAN_WINDOW messages one by one, which fills the page at once for
 * a common word; when that is not enough, the word is rare and the GIN index lists its few messages
 * (by id: left to itself, PostgreSQL may walk every message for a word that is in none).
 */
export async function listMessageLog(ctx: Ctx, query: MessageLogQuery): Promise<MessageLogResponse> {
  assertActorCan(ctx, "logs.read");
  const limit = query.limit ?? 50;
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
  const filter = logConditions(ctx, query);
  let rows = filter.text
    ? await queryMessageLog(ctx, filter, { cursor, limit: limit + 1, textPlan: { scanWindow: LOG_TEXT_SCAN_WINDOW } })
    : [];
  if (rows.length <= limit) rows = await queryMessageLog(ctx, filter, { cursor, limit: limit + 1, textPlan: "gin" });
  const page = pageOf(rows, limit);
  return { data: page.rows.map(({ cursorAt: _, ...entry }) => entry), nextCursor: page.nextCursor };
}
