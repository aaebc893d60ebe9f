import type { MessageLogQuery, MessageLogResponse } from "@tandem/contracts";
import type { Ctx } from "../context.ts";
import { decodeCursor, pageOf } from "../conversations/cursor.ts";
import { assertActorCan } from "../members/guard.ts";
import { logConditions, queryMessageLog } from "./query-message-log.ts";

/** `GET /api/v1/logs/messages`: one page of the workspace's messages, newest first. */
export async function listMessageLog(ctx: Ctx, query: MessageLogQuery): Promise<MessageLogResponse> {
  assertActorCan(ctx, "logs.read");
  const limit = query.limit ?? 50;
  const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
  const rows = await queryMessageLog(ctx, logConditions(ctx, query), { cursor, limit: limit + 1 });
  const page = pageOf(rows, limit);
  return { data: page.rows.map(({ cursorAt: _, ...entry }) => entry), nextCursor: page.nextCursor };
}
