/**
 * How the inbox's TanStack Query cache absorbs a fresh conversation or message, whether it comes
 * from a socket event or a mutation's response: the cache is the only client-side store.
 */
import type {
  ConversationDto,
  ConversationListResponse,
  InboxOptions,
  MessageDto,
  MessageListResponse,
} from "@tandem/contracts";
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { compareConversations, type InboxFilters, matchesFilters } from "./filters";

export const inboxKeys = {
  all: ["inbox"] as const,
  lists: ["inbox", "list"] as const,
  list: (filters: InboxFilters) => ["inbox", "list", filters] as const,
  conversation: (id: string) => ["inbox", "conversation", id] as const,
  messages: (id: string) => ["inbox", "messages", id] as const,
  options: ["inbox", "options"] as const,
  presence: ["inbox", "presence"] as const,
  counts: (filters: unknown) => ["inbox", "counts", filters] as const,
  viewers: (id: string) => ["inbox", "viewers", id] as const,
  allCounts: ["inbox", "counts"] as const,
};

/** The view counts follow conversation changes, once per burst of them (a bulk action, a busy minute). */
let countsTimer: ReturnType<typeof setTimeout> | null = null;
function refreshCountsSoon(queryClient: QueryClient): void {
  if (countsTimer) return;
  countsTimer = setTimeout(() => {
    countsTimer = null;
    void queryClient.invalidateQueries({ queryKey: inboxKeys.allCounts });
  }, 500);
}

export type ConversationPages = InfiniteData<ConversationListResponse, unknown>;
export type MessagePages = InfiniteData<MessageListResponse, unknown>;

/**
 * A socket event can overtake the answer of the request that caused it (a send fails in the
 * background before the POST has answered): a copy older than the cached one is stale.
 */
const isStale = (incoming: { updatedAt: string }, cached: { updatedAt: string } | undefined) =>
  cached !== undefined && incoming.updatedAt < cached.updatedAt;

/** Updates the conversation wherever it is cached; `keepId` stays in its lists even when it stops matching. */
export function storeConversation(queryClient: QueryClient, dto: ConversationDto, keepId?: string | null): void {
  if (isStale(dto, cachedConversation(queryClient, dto.id))) return;
  refreshCountsSoon(queryClient);
  queryClient.setQueryData<ConversationDto>(inboxKeys.conversation(dto.id), dto);
  rememberTags(queryClient, dto.tags);
  for (const [key, data] of queryClient.getQueriesData<ConversationPages>({ queryKey: inboxKeys.lists })) {
    if (!data) continue;
    const filters = key[2] as InboxFilters | undefined;
    if (!filters) continue;
    const next = placeInList(data, dto, matchesFilters(dto, filters), dto.id === keepId);
    if (next !== data) queryClient.setQueryData(key, next);
  }
}

/**
 * A tag on a conversation is a tag in use: the tag filter and the tag suggestions learn it at once,
 * whoever added it. The options keep their age, so they are still refetched when they go stale.
 */
function rememberTags(queryClient: QueryClient, tags: string[]): void {
  const state = queryClient.getQueryState<InboxOptions>(inboxKeys.options);
  const options = state?.data;
  if (!options) return;
  const missing = tags.filter((tag) => !options.tags.includes(tag));
  if (missing.length === 0) return;
  queryClient.setQueryData<InboxOptions>(
    inboxKeys.options,
    { ...options, tags: [...options.tags, ...missing] },
    { updatedAt: state.dataUpdatedAt },
  );
}

function placeInList(
  data: ConversationPages,
  dto: ConversationDto,
  matches: boolean | undefined,
  keep: boolean,
): ConversationPages {
  const present = data.pages.some((page) => page.data.some((c) => c.id === dto.id));
  // A search list: the server decides what matches; a row already there is kept fresh in place.
  if (matches === undefined || (keep && present && !matches)) {
    if (!present) return data;
    // The row keeps the message the search found (live updates do not carry it).
    return mapPages(data, (rows) => rows.map((c) => (c.id === dto.id ? { ...dto, match: dto.match ?? c.match } : c)));
  }
  const without = present ? mapPages(data, (rows) => rows.filter((c) => c.id !== dto.id)) : data;
  if (!matches) return without;

  // Insert where the server's order puts it; past the loaded pages it arrives with the next page.
  const pages = without.pages;
  for (let p = 0; p < pages.length; p++) {
    const rows = pages[p]!.data;
    const at = rows.findIndex((c) => compareConversations(dto, c) < 0);
    if (at >= 0) return withPage(without, p, [...rows.slice(0, at), dto, ...rows.slice(at)]);
  }
  const last = pages.length - 1;
  if (last >= 0 && pages[last]!.nextCursor === null) return withPage(without, last, [...pages[last]!.data, dto]);
  return without;
}

function mapPages(data: ConversationPages, fn: (rows: ConversationDto[]) => ConversationDto[]): ConversationPages {
  return { ...data, pages: data.pages.map((page) => ({ ...page, data: fn(page.data) })) };
}

function withPage(data: ConversationPages, index: number, rows: ConversationDto[]): ConversationPages {
  return { ...data, pages: data.pages.map((page, i) => (i === index ? { ...page, data: rows } : page)) };
}

/**
 * A new or changed message: replaced where it is, else added to the newest loaded page in time order.
 * Live events carry no ratings (`feedback: null`) and a moderation state only when a flag changed:
 * the ones loaded with the page are kept.
 */
export function storeMessage(queryClient: QueryClient, dto: MessageDto): void {
  queryClient.setQueryData<MessagePages>(inboxKeys.messages(dto.conversationId), (data) => {
    if (!data || data.pages.length === 0) return data;
    const cached = data.pages.flatMap((page) => page.data).find((m) => m.id === dto.id);
    if (isStale(dto, cached)) return data;
    if (cached) {
      return {
        ...data,
        pages: data.pages.map((page) => ({
          ...page,
          data: page.data.map((m) =>
            m.id === dto.id
              ? { ...dto, feedback: dto.feedback ?? m.feedback, moderation: dto.moderation ?? m.moderation }
              : m,
          ),
        })),
      };
    }
    const [newest, ...older] = data.pages;
    const rows = [...newest!.data];
    let at = rows.length;
    while (at > 0 && compareMessages(rows[at - 1]!, dto) > 0) at--;
    rows.splice(at, 0, dto);
    return { ...data, pages: [{ ...newest!, data: rows }, ...older] };
  });
}

/** Oldest first, as the thread shows them. */
function compareMessages(a: MessageDto, b: MessageDto): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The thread, oldest → newest: pages come newest first, each in time order. */
export function flattenMessages(data: MessagePages | undefined): MessageDto[] {
  if (!data) return [];
  const seen = new Set<string>();
  const out: MessageDto[] = [];
  for (let p = data.pages.length - 1; p >= 0; p--) {
    for (const m of data.pages[p]!.data) {
      if (seen.has(m.id)) continue;
      seen.add(m.id);
      out.push(m);
    }
  }
  return out;
}

/** The list's rows in order, without the duplicates a row moving between pages could leave. */
export function flattenConversations(data: ConversationPages | undefined): ConversationDto[] {
  if (!data) return [];
  const seen = new Set<string>();
  const out: ConversationDto[] = [];
  for (const page of data.pages) {
    for (const c of page.data) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      out.push(c);
    }
  }
  return out;
}

/** A conversation as the cache knows it, from its own query or from any list. */
export function cachedConversation(queryClient: QueryClient, id: string): ConversationDto | undefined {
  const own = queryClient.getQueryData<ConversationDto>(inboxKeys.conversation(id));
  if (own) return own;
  for (const [, data] of queryClient.getQueriesData<ConversationPages>({ queryKey: inboxKeys.lists })) {
    for (const page of data?.pages ?? []) {
      const found = page.data.find((c) => c.id === id);
      if (found) return found;
    }
  }
  return undefined;
}
