import type {
  ConversationListQuery,
  ConversationListResponse,
  ConversationStatus,
  ConversationViewCounts,
} from "@tandem/contracts";
import { channels, contacts, conversations, messages } from "@tandem/db";
import { and, arrayContains, desc, eq, exists, gt, inArray, or, type SQL, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { cursorTimestamp, decodeCursor, olderThan, pageOf } from "./cursor.ts";
import { escapeLike, foldText, highlightMatches, messageTextMatch } from "./search-text.ts";
import { normalizeTag } from "./tags.ts";
import { loadConversationDtos } from "./to-dto.ts";

/** How many of the newest matching conversations a text search probes one by one before it asks the GIN index. */
export const SEARCH_SCAN_WINDOW = 1000;

type PageRow = { id: string; cursorAt: string };
type ViewQuery = Omit<ConversationListQuery, "assignee" | "search" | "cursor" | "limit">;

/**
 * The inbox list: most recent activity first (`last_message_at desc, id desc`), keyset-paginated.
 * One query picks the page's ids by walking `conversation_inbox_idx` (workspace, last_message_at
 * desc, id desc) with the filters applied on the way; a second loads the DTOs of those ids.
 *
 * Search returns conversations whose contact matches (name contains the text, any case; or the exact
 * platform id) or that have a message containing every word (`message.search`, a GIN-indexed
 * tsvector). The two are separate pages merged here: an OR of both would hide each from the planner.
 * Message text takes the cheaper of two plans, because PostgreSQL's estimate for "first N rows
 * with a matching message" is often far off: it first probes the newest SEARCH_SCAN_WINDOW
 * conversations one by one, which finds a common word at once; when that does not fill the page,
 * the word is rare, and the GIN index lists its few conversations directly.
 */
export async function listConversations(ctx: Ctx, query: ConversationListQuery): Promise<ConversationListResponse> {
  assertActorCan(ctx, "conversations.work");
  const limit = query.limit ?? 30;
  const where = viewConditions(ctx, query);
  if (query.assignee) where.push(assigneeCondition(ctx, query.assignee));
  if (query.cursor) where.push(olderThan(conversations.lastMessageAt, conversations.id, decodeCursor(query.cursor)));
  const textMatch = query.search ? messageTextMatch(query.search) : null;

  const newest = (size: number, extra?: SQL) =>
    ctx.db
      .select({ id: conversations.id, cursorAt: cursorTimestamp(conversations.lastMessageAt) })
      .from(conversations)
      .where(and(...where, extra))
      .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
      .limit(size);

  let rows: PageRow[];
  if (!query.search) {
    rows = await newest(limit + 1);
  } else {
    const byContact = await newest(limit + 1, contactMatches(ctx, query.search));
    let byMessage: PageRow[] = [];
    if (textMatch) {
      // The newest conversations, probed one by one: enough when the word is common.
      byMessage = await newestProbed(ctx, where, limit + 1, textMatch);
      // Too few there: the word is rare, so the GIN index lists its conversations cheaply.
      if (byMessage.length <= limit) {
        byMessage = await newest(
          limit + 1,
          sql`${conversations.id} = any(array(${conversationsWithMessage(ctx, textMatch)}))`,
        );
      }
    }
    rows = mergeNewestFirst(byContact, byMessage).slice(0, limit + 1);
  }
  const page = pageOf(rows, limit);
  const ids = page.rows.map((r) => r.id);
  const data = await loadConversationDtos(ctx.db, ctx.workspaceId, ids);
  if (query.search && ids.length > 0) {
    const found = textMatch ? await newestMatchingMessages(ctx, ids, textMatch) : new Map();
    for (const dto of data) {
      const m = found.get(dto.id);
      if (m?.text) {
        dto.match = {
          messageId: m.id,
          role: m.role,
          createdAt: m.createdAt.toISOString(),
          ...highlightMatches(m.text, query.search),
        };
      }
    }
  }
  return { data, nextCursor: page.nextCursor };
}

/** For each of some conversations, its newest message containing the search (the result row shows it). */
async function newestMatchingMessages(ctx: Ctx, conversationIds: string[], textMatch: SQL) {
  const rows = await ctx.db
    .selectDistinctOn([messages.conversationId], {
      id: messages.id,
      conversationId: messages.conversationId,
      role: messages.role,
      text: messages.text,
      createdAt: messages.createdAt,
    })
    .from(messages)
    .where(
      and(
        eq(messages.workspaceId, ctx.workspaceId),
        inArray(messages.conversationId, conversationIds),
        sql`${messages.kind} <> 'event'`,
        textMatch,
      ),
    )
    .orderBy(messages.conversationId, desc(messages.createdAt), desc(messages.id));
  return new Map(rows.map((r) => [r.conversationId, r]));
}

/** The list's status and filters, the assignee and the cursor aside: what the views count over. */
function viewConditions(ctx: Ctx, query: ViewQuery): SQL[] {
  const where: SQL[] = [eq(conversations.workspaceId, ctx.workspaceId), eq(conversations.isPlayground, false)];
  if (query.status?.length) where.push(or(...query.status.map(statusCondition))!);
  if (query.channelId) where.push(eq(conversations.channelId, query.channelId));
  if (query.channelType) {
    where.push(
      inArray(
        conversations.channelId,
        ctx.db
          .select({ id: channels.id })
          .from(channels)
          .where(and(eq(channels.workspaceId, ctx.workspaceId), eq(channels.type, query.channelType))),
      ),
    );
  }
  if (query.tag) where.push(arrayContains(conversations.tags, [normalizeTag(query.tag)]));
  if (query.unread !== undefined) {
    where.push(query.unread ? gt(conversations.unreadCount, 0) : eq(conversations.unreadCount, 0));
  }
  if (query.needsHuman !== undefined) where.push(eq(conversations.needsHuman, query.needsHuman));
  return where;
}

/**
 * The numbers on the Mine / Unassigned / All views: conversations of the list's status and filters
 * (the assignee, the search and the cursor aside), in one pass over them.
 */
export async function countConversationViews(ctx: Ctx, query: ViewQuery): Promise<ConversationViewCounts> {
  assertActorCan(ctx, "conversations.work");
  const me = ctx.actor.type === "system" ? null : ctx.actor.memberId;
  const [row] = await ctx.db
    .select({
      mine: me ? sql<number>`count(*) filter (where ${conversations.assigneeId} = ${me})::int` : sql<number>`0`,
      unassigned: sql<number>`count(*) filter (where ${conversations.assigneeId} is null)::int`,
      all: sql<number>`count(*)::int`,
    })
    .from(conversations)
    .where(and(...viewConditions(ctx, query)));
  return { mine: row?.mine ?? 0, unassigned: row?.unassigned ?? 0, all: row?.all ?? 0 };
}

/** Both lists are newest first; `cursorAt` is fixed-width UTC, so it sorts as text. */
function mergeNewestFirst(a: PageRow[], b: PageRow[]): PageRow[] {
  const byId = new Map([...a, ...b].map((r) => [r.id, r]));
  return [...byId.values()].sort((x, y) =>
    x.cursorAt === y.cursorAt ? (x.id < y.id ? 1 : x.id > y.id ? -1 : 0) : x.cursorAt < y.cursorAt ? 1 : -1,
  );
}

/** Status as the inbox sees it: a snooze that has run out is OPEN again (see `effectiveStatus`). */
function statusCondition(status: ConversationStatus): SQL {
  const c = conversations;
  switch (status) {
    case "OPEN":
      return sql`(${c.status} = 'OPEN' or (${c.status} = 'SNOOZED' and ${c.snoozedUntil} <= now()))`;
    case "SNOOZED":
      return sql`(${c.status} = 'SNOOZED' and (${c.snoozedUntil} is null or ${c.snoozedUntil} > now()))`;
    case "CLOSED":
      return eq(c.status, "CLOSED");
  }
}

function assigneeCondition(ctx: Ctx, assignee: string): SQL {
  if (assignee === "none") return sql`${conversations.assigneeId} is null`;
  if (assignee === "me") {
    if (ctx.actor.type === "system") throw new DomainError("invalid_input", "`assignee=me` needs a signed-in member");
    return eq(conversations.assigneeId, ctx.actor.memberId);
  }
  return eq(conversations.assigneeId, assignee);
}

/**
 * The contact's name contains the text (any case), or the text is the contact's platform id: a
 * bitmap OR of a name index and `contact_workspace_platform_user_idx`. Which name index depends on the
 * text: `contact_name_trgm_idx` (pg_trgm) narrows a pattern with three ASCII letters or digits in a
 * row; anything else of three characters or more (Thai, Japanese, "a b"), or two characters outside
 * ASCII (佐藤: a Japanese surname is one rare bigram), asks `contact_name_bigram_idx` for the names
 * holding all its character bigrams, which ILIKE then rechecks. One character, or two ASCII ones,
 * narrow little (a single bigram such as "an" is in a third of the names): `(… ilike …) is true`,
 * which no index serves, keeps PostgreSQL walking the newest conversations instead (bench/inbox).
 */
function contactMatches(ctx: Ctx, search: string): SQL {
  // Both sides folded (`tandem_fold`: lower case, no accents), as the two name indexes are.
  const folded = foldText(search);
  const nameContains = sql`tandem_fold(${contacts.name}) like ${`%${escapeLike(folded)}%`}`;
  const chars = [...folded];
  let nameMatches: SQL;
  if (/[a-z0-9]{3}/.test(folded)) nameMatches = nameContains;
  else if (chars.length >= 3 || (chars.length === 2 && chars.some((ch) => ch.charCodeAt(0) > 0x7f))) {
    nameMatches = sql`(tandem_bigrams(tandem_fold(${contacts.name})) @> tandem_bigrams(${folded}) and ${nameContains})`;
  } else nameMatches = sql`(${nameContains}) is true`;
  return exists(
    ctx.db
      .select({ one: sql`1` })
      .from(contacts)
      .where(
        and(
          eq(contacts.id, conversations.contactId),
          eq(contacts.workspaceId, ctx.workspaceId),
          or(nameMatches, eq(contacts.platformUserId, search)),
        ),
      ),
  );
}

/**
 * The newest `size` of the newest SEARCH_SCAN_WINDOW conversations that have a message containing
 * every word. A lateral `limit 1` probes one conversation at a time, in inbox order, on
 * `message_conversation_created_idx`, and stops as soon as the page is full: a common word costs
 * a few dozen probes. The match is written `(… @@ …) is true`, which no index serves, on purpose:
 * PostgreSQL underestimates how often several words occur together (each word's frequency
 * multiplied) and would otherwise AND the GIN index into every probe, some 5 ms each (bench/inbox).
 */
function newestProbed(ctx: Ctx, where: SQL[], size: number, textMatch: SQL) {
  const window = ctx.db
    .select({ id: conversations.id, lastMessageAt: conversations.lastMessageAt })
    .from(conversations)
    .where(and(...where))
    .orderBy(desc(conversations.lastMessageAt), desc(conversations.id))
    .limit(SEARCH_SCAN_WINDOW)
    .as("scan_window");
  const hit = ctx.db
    .select({ one: sql`1`.as("one") })
    .from(messages)
    .where(
      and(eq(messages.conversationId, window.id), eq(messages.workspaceId, ctx.workspaceId), sql`${textMatch} is true`),
    )
    .limit(1)
    .as("hit");
  return ctx.db
    .select({ id: window.id, cursorAt: cursorTimestamp(window.lastMessageAt) })
    .from(window)
    .innerJoinLateral(hit, sql`true`)
    .orderBy(desc(window.lastMessageAt), desc(window.id))
    .limit(size);
}

/** Conversations with a message containing every word, straight from the GIN index. */
function conversationsWithMessage(ctx: Ctx, textMatch: SQL) {
  return ctx.db
    .selectDistinct({ id: messages.conversationId })
    .from(messages)
    .where(and(eq(messages.workspaceId, ctx.workspaceId), textMatch));
}
