import { ChannelType, type ConversationDto, ConversationStatus } from "@tandem/contracts";

/** What the conversation list shows. `assignee` is a member id or "none"; "me" is resolved before use. */
export interface InboxFilters {
  status: ConversationStatus;
  unread: boolean;
  needsHuman: boolean;
  channelType: ChannelType | null;
  /** A channel (a Messenger Page, the widget…). */
  channelId: string | null;
  tag: string | null;
  assignee: string | null;
  search: string;
}

export const DEFAULT_FILTERS: InboxFilters = {
  status: "OPEN",
  unread: false,
  needsHuman: false,
  channelType: null,
  channelId: null,
  tag: null,
  assignee: null,
  search: "",
};

export const PAGE_SIZE = 30;

/**
 * The filters' names in the dashboard's URL (`/dashboard?status=closed&unread=1`), so a reload or a
 * shared link shows the same list. Defaults are left out; `c`, the open conversation, sits beside them.
 */
const URL_PARAMS = {
  status: "status",
  unread: "unread",
  needsHuman: "needsHuman",
  channelType: "channel",
  channelId: "page",
  tag: "tag",
  assignee: "assignee",
  search: "q",
} as const satisfies Record<keyof InboxFilters, string>;

/** The filters a URL asks for; a value that makes no sense falls back to the default. */
export function filtersFromParams(params: URLSearchParams): InboxFilters {
  const get = (key: keyof InboxFilters) => params.get(URL_PARAMS[key]) || null;
  const status = ConversationStatus.safeParse(get("status")?.toUpperCase());
  const channelType = ChannelType.safeParse(get("channelType"));
  return {
    status: status.success ? status.data : DEFAULT_FILTERS.status,
    unread: get("unread") === "1",
    needsHuman: get("needsHuman") === "1",
    channelType: channelType.success ? channelType.data : null,
    channelId: get("channelId"),
    tag: get("tag"),
    assignee: get("assignee"),
    search: get("search") ?? "",
  };
}

/** Writes the filters into `params` (other parameters stay), leaving out the defaults. */
export function writeFiltersToParams(filters: InboxFilters, params: URLSearchParams): void {
  const values: Record<keyof InboxFilters, string | null> = {
    status: filters.status === DEFAULT_FILTERS.status ? null : filters.status.toLowerCase(),
    unread: filters.unread ? "1" : null,
    needsHuman: filters.needsHuman ? "1" : null,
    channelType: filters.channelType,
    channelId: filters.channelId,
    tag: filters.tag,
    assignee: filters.assignee,
    search: filters.search || null,
  };
  for (const key of Object.keys(URL_PARAMS) as (keyof InboxFilters)[]) {
    const value = values[key];
    if (value) params.set(URL_PARAMS[key], value);
    else params.delete(URL_PARAMS[key]);
  }
}

/** The query string of `GET /api/v1/conversations` for these filters. */
export function filtersToQuery(filters: InboxFilters, cursor: string | null): string {
  const params = new URLSearchParams({ status: filters.status, limit: String(PAGE_SIZE) });
  if (filters.unread) params.set("unread", "true");
  if (filters.needsHuman) params.set("needsHuman", "true");
  if (filters.channelType) params.set("channelType", filters.channelType);
  if (filters.channelId) params.set("channelId", filters.channelId);
  if (filters.tag) params.set("tag", filters.tag);
  if (filters.assignee) params.set("assignee", filters.assignee);
  const search = filters.search.trim();
  if (search) params.set("search", search);
  if (cursor) params.set("cursor", cursor);
  return params.toString();
}

/**
 * Filters beyond the views, the status tabs and the search box, for the "Filters (n)" button: an
 * assignee counts when it is another member (me and unassigned are views of their own).
 */
export function countRefinements(filters: InboxFilters, myMemberId?: string | null): number {
  const otherAssignee = filters.assignee && filters.assignee !== "none" && filters.assignee !== myMemberId;
  return [filters.channelType, filters.channelId, filters.tag, otherAssignee].filter(Boolean).length;
}

/**
 * Whether a conversation belongs in a list with these filters, the way the server decides it.
 * `undefined` when the client cannot tell: a text search also matches message text it has not seen.
 */
export function matchesFilters(conversation: ConversationDto, filters: InboxFilters): boolean | undefined {
  if (conversation.status !== filters.status) return false;
  if (filters.unread && conversation.unreadCount === 0) return false;
  if (filters.needsHuman && !conversation.needsHuman) return false;
  if (filters.channelType && conversation.channel?.type !== filters.channelType) return false;
  if (filters.channelId && conversation.channel?.id !== filters.channelId) return false;
  if (filters.tag && !conversation.tags.includes(filters.tag.trim().toLowerCase())) return false;
  if (filters.assignee === "none" && conversation.assigneeId) return false;
  if (filters.assignee && filters.assignee !== "none" && conversation.assigneeId !== filters.assignee) return false;
  if (filters.search.trim()) return undefined;
  return true;
}

/** Newest activity first, as the server orders the list (`last_message_at desc, id desc`). */
export function compareConversations(a: ConversationDto, b: ConversationDto): number {
  if (a.lastMessageAt !== b.lastMessageAt) return a.lastMessageAt < b.lastMessageAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}
