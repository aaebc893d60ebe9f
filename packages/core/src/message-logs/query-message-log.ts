import { MESSAGE_LOG_TEXT_LENGTH, type MessageLogEntry, type MessageLogFilters } from "@tandem/contracts";
import { channels, chatbots, contacts, conversations, members, messages, users } from "@tandem/db";
import { and, desc, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { type Cursor, cursorTimestamp, olderThan } from "../conversations/cursor.ts";
import { escapeLike, foldText, messageTextMatch } from "../conversations/search-text.ts";
import { DomainError } from "../errors.ts";

/**
 * The one query behind the message log and its CSV export: the workspace's messages newest first,
 * keyset-paginated on `(created_at desc, id desc)` (`message_workspace_created_idx`), with the
 * filters applied while walking it. Playground test chats are not part of the log (as in the inbox,
 * `conversations/in-inbox.ts`).
 */
export interface MessageLogRow extends MessageLogEntry {
  cursorAt: string;
}

/** The filters as SQL: the text match apart, as a page may look for it two ways (`listMessageLog`). */
export interface LogFilter {
  where: SQL[];
  text: SQL | null;
}

export function logConditions(ctx: Ctx, filters: MessageLogFilters): LogFilter {
  if (filters.from && filters.to && new Date(filters.from) >= new Date(filters.to)) {
    throw new DomainError("invalid_input", "`from` must be before `to`", {
      details: [{ path: "to", message: "`from` must be before `to`" }],
    });
  }
  const m = messages;
  const where: SQL[] = [eq(m.workspaceId, ctx.workspaceId), eq(conversations.isPlayground, false)];
  if (filters.channelId) where.push(eq(m.channelId, filters.channelId));
  if (filters.channelType) where.push(eq(channels.type, filters.channelType));
  if (filters.chatbotId) where.push(eq(conversations.chatbotId, filters.chatbotId));
  if (filters.agentId) where.push(eq(m.authorMemberId, filters.agentId));
  if (filters.role) where.push(eq(m.role, filters.role));
  if (filters.kind) where.push(eq(m.kind, filters.kind));
  if (filters.status) where.push(eq(m.status, filters.status));
  if (filters.conversationId) where.push(eq(m.conversationId, filters.conversationId));
  if (filters.from) where.push(gte(m.createdAt, new Date(filters.from)));
  if (filters.to) where.push(lt(m.createdAt, new Date(filters.to)));
  // The inbox's search (words folded, Thai and CJK by bigrams); punctuation only is matched as written.
  const text = filters.text
    ? (messageTextMatch(filters.text) ??
      sql`tandem_fold(coalesce(${m.text}, '')) like ${`%${escapeLike(foldText(filters.text))}%`}`)
    : null;
  return { where, text };
}

/**
 * The newest `window` messages of the workspace after the cursor: rows at or after the returned
 * time. A text search probes them one by one before it asks the GIN index (see `listMessageLog`).
 */
function windowStart(ctx: Ctx, window: number, cursor: Cursor | undefined): SQL {
  const m = messages;
  // By time alone, which `message_workspace_created_idx` serves; ordering by id too sorted every message.
  const bound = ctx.db
    .select({ at: m.createdAt })
    .from(m)
    .where(
      and(eq(m.workspaceId, ctx.workspaceId), cursor ? sql`${m.createdAt} <= ${cursor.at}::timestamptz` : undefined),
    )
    .orderBy(desc(m.createdAt))
    .offset(window)
    .limit(1);
  return sql`${m.createdAt} >= coalesce((${bound}), '-infinity'::timestamptz)`;
}

/**
 * One page of the log: `limit` rows after `cursor`, the text cut to the list's length unless
 * `fullText`. `textPlan` chooses how a text search runs (see `listMessageLog`); the export streams
 * through every match and leaves it to PostgreSQL.
 */
export async function queryMessageLog(
  ctx: Ctx,
  filter: LogFilter,
  options: {
    cursor?: Cursor | undefined;
    limit: number;
    fullText?: boolean;
    /** How a text search finds its rows: probing the newest N messages, from the GIN index, or as PostgreSQL picks. */
    textPlan?: { scanWindow: number } | "gin";
  },
): Promise<MessageLogRow[]> {
  const m = messages;
  const conditions = [...filter.where];
  if (options.cursor) conditions.push(olderThan(m.createdAt, m.id, options.cursor));
  if (filter.text && typeof options.textPlan === "object") {
    conditions.push(sql`(${filter.text}) is true`, windowStart(ctx, options.textPlan.scanWindow, options.cursor));
  } else if (filter.text && options.textPlan === "gin") {
    // The messages the GIN index lists, by id (a word in none took a second at 100,000 otherwise).
    const matching = ctx.db
      .select({ id: m.id })
      .from(m)
      .where(and(eq(m.workspaceId, ctx.workspaceId), filter.text));
    conditions.push(sql`${m.id} = any(array(${matching}))`);
  } else if (filter.text) conditions.push(filter.text);
  const rows = await ctx.db
    .select({
      id: m.id,
      cursorAt: cursorTimestamp(m.createdAt),
      createdAt: m.createdAt,
      conversationId: m.conversationId,
      channelId: channels.id,
      channelType: channels.type,
      channelName: channels.name,
      contactId: contacts.id,
      contactName: contacts.name,
      role: m.role,
      kind: m.kind,
      status: m.status,
      authorMemberId: m.authorMemberId,
      agentName: sql<string | null>`coalesce(${users.name}, ${users.email})`,
      chatbotId: chatbots.id,
      chatbotName: chatbots.name,
      text: options.fullText ? m.text : sql<string | null>`left(${m.text}, ${MESSAGE_LOG_TEXT_LENGTH})`,
      textTruncated: options.fullText
        ? sql<boolean>`false`
        : sql<boolean>`coalesce(char_length(${m.text}) > ${MESSAGE_LOG_TEXT_LENGTH}, false)`,
      attachments: sql<number>`jsonb_array_length(${m.attachments})::int`,
      errorCode: m.errorCode,
      errorMessage: m.errorMessage,
      provider: m.provider,
      model: m.model,
      latencyMs: m.latencyMs,
      inputTokens: sql<number | null>`(${m.usage}->>'inputTokens')::int`,
      outputTokens: sql<number | null>`(${m.usage}->>'outputTokens')::int`,
    })
    .from(m)
    .innerJoin(conversations, eq(conversations.id, m.conversationId))
    .leftJoin(channels, eq(channels.id, m.channelId))
    // In a LINE group each speaker is a contact of their own.
    .leftJoin(contacts, eq(contacts.id, sql`coalesce(${m.senderContactId}, ${conversations.contactId})`))
    .leftJoin(members, eq(members.id, m.authorMemberId))
    .leftJoin(users, eq(users.id, members.userId))
    .leftJoin(chatbots, eq(chatbots.id, conversations.chatbotId))
    .where(and(...conditions))
    .orderBy(desc(m.createdAt), desc(m.id))
    .limit(options.limit);

  return rows.map((r) => ({
    id: r.id,
    cursorAt: r.cursorAt,
    createdAt: r.createdAt.toISOString(),
    conversationId: r.conversationId,
    channel: r.channelId && r.channelType ? { id: r.channelId, type: r.channelType, name: r.channelName ?? "" } : null,
    contact: r.contactId ? { id: r.contactId, name: r.contactName } : null,
    role: r.role,
    kind: r.kind,
    status: r.status,
    author:
      r.role === "USER"
        ? { type: "customer", id: r.contactId, name: r.contactName }
        : r.role === "AGENT"
          ? { type: "agent", id: r.authorMemberId, name: r.agentName }
          : r.role === "BOT"
            ? { type: "bot", id: r.chatbotId, name: r.chatbotName }
            : { type: "system", id: null, name: null },
    text: r.text,
    textTruncated: r.textTruncated,
    attachments: r.attachments,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    provider: r.provider,
    model: r.model,
    latencyMs: r.latencyMs,
    inputTokens: r.inputTokens,
    outputTokens: r.outputTokens,
  }));
}
