/**
 * How the knowledge pages' TanStack Query cache absorbs a source or document, whether it comes from
 * a `knowledge:updated` socket event or a mutation's answer: the cache is the only client-side store.
 */
import type {
  KnowledgeDocumentDto,
  KnowledgeDocumentListResponse,
  KnowledgeSourceDto,
  KnowledgeSourceListResponse,
  KnowledgeUpdatedEvent,
} from "@tandem/contracts";
import type { InfiniteData, QueryClient } from "@tanstack/react-query";
import { knowledgeKeys, type SourceFilter } from "./keys";

type Pages<T> = InfiniteData<{ data: T[]; nextCursor: string | null }, unknown>;
export type SourcePages = InfiniteData<KnowledgeSourceListResponse, unknown>;
export type DocumentPages = InfiniteData<KnowledgeDocumentListResponse, unknown>;

/** An event can overtake the answer of the request that caused it: a copy older than the cached one is stale. */
const isStale = (incoming: { updatedAt: string }, cached: { updatedAt: string } | undefined) =>
  cached !== undefined && incoming.updatedAt < cached.updatedAt;

/** Whether a list fetched with `filter` holds `source` (a chatbot's list: its own sources and the shared ones). */
export function sourceMatches(source: KnowledgeSourceDto, filter: SourceFilter): boolean {
  if (filter.type && source.type !== filter.type) return false;
  if (filter.chatbotId && source.chatbotId !== null && source.chatbotId !== filter.chatbotId) return false;
  return true;
}

function find<T extends { id: string }>(data: Pages<T> | undefined, id: string): T | undefined {
  return data?.pages.flatMap((page) => page.data).find((row) => row.id === id);
}

/** Replaces the row in place; a new row goes first (the lists are newest first) when `insert`. */
function upsert<T extends { id: string }>(data: Pages<T>, row: T, insert: boolean): Pages<T> {
  if (find(data, row.id)) {
    return {
      ...data,
      pages: data.pages.map((page) => ({ ...page, data: page.data.map((r) => (r.id === row.id ? row : r)) })),
    };
  }
  if (!insert || data.pages.length === 0) return data;
  const [first, ...rest] = data.pages;
  return { ...data, pages: [{ ...first!, data: [row, ...first!.data] }, ...rest] };
}

function remove<T extends { id: string }>(data: Pages<T>, id: string): Pages<T> {
  if (!find(data, id)) return data;
  return { ...data, pages: data.pages.map((page) => ({ ...page, data: page.data.filter((r) => r.id !== id) })) };
}

export function storeSource(queryClient: QueryClient, dto: KnowledgeSourceDto): void {
  const cached = queryClient.getQueryData<KnowledgeSourceDto>(knowledgeKeys.source(dto.id));
  if (isStale(dto, cached)) return;
  queryClient.setQueryData(knowledgeKeys.source(dto.id), dto);
  for (const [key, data] of queryClient.getQueriesData<SourcePages>({ queryKey: [...knowledgeKeys.sources, "list"] })) {
    if (!data || isStale(dto, find(data, dto.id))) continue;
    const filter = (key[3] ?? {}) as SourceFilter;
    const next = sourceMatches(dto, filter) ? upsert(data, dto, true) : remove(data, dto.id);
    if (next !== data) queryClient.setQueryData(key, next);
  }
}

export function removeSource(queryClient: QueryClient, id: string): void {
  queryClient.removeQueries({ queryKey: knowledgeKeys.source(id) });
  queryClient.removeQueries({ queryKey: knowledgeKeys.documents(id) });
  queryClient.removeQueries({ queryKey: knowledgeKeys.faq(id) });
  for (const [key, data] of queryClient.getQueriesData<SourcePages>({ queryKey: [...knowledgeKeys.sources, "list"] })) {
    if (data) queryClient.setQueryData(key, remove(data, id));
  }
}

/** The cached copy of a document: its own query, else its row in its source's list. */
function cachedDocument(
  queryClient: QueryClient,
  doc: Pick<KnowledgeDocumentDto, "id" | "sourceId">,
): KnowledgeDocumentDto | undefined {
  return (
    queryClient.getQueryData<KnowledgeDocumentDto>(knowledgeKeys.document(doc.id)) ??
    find(queryClient.getQueryData<DocumentPages>(knowledgeKeys.documents(doc.sourceId)), doc.id)
  );
}

export function storeDocument(queryClient: QueryClient, dto: KnowledgeDocumentDto): void {
  const cached = queryClient.getQueryData<KnowledgeDocumentDto>(knowledgeKeys.document(dto.id));
  if (isStale(dto, cached)) return;
  queryClient.setQueryData(knowledgeKeys.document(dto.id), dto);
  queryClient.setQueryData<DocumentPages>(knowledgeKeys.documents(dto.sourceId), (data) =>
    data && !isStale(dto, find(data, dto.id)) ? upsert(data, dto, true) : data,
  );
}

export function removeDocument(queryClient: QueryClient, sourceId: string, documentId: string): void {
  queryClient.removeQueries({ queryKey: knowledgeKeys.document(documentId) });
  queryClient.removeQueries({ queryKey: knowledgeKeys.chunks(documentId) });
  queryClient.setQueryData<DocumentPages>(knowledgeKeys.documents(sourceId), (data) =>
    data ? remove(data, documentId) : data,
  );
}

/**
 * One `knowledge:updated` event into the cache. The event carries the whole source and the document
 * that moved, so the lists update without a request. A removal names the source only (the document
 * is null with `deleted`): the source's document list is refetched; without a source the source
 * itself is gone. The chunks of a document that has just become ready, and an FAQ source's entries
 * (each entry is a document), are refetched where they are shown.
 */
export function applyKnowledgeEvent(queryClient: QueryClient, event: KnowledgeUpdatedEvent): void {
  // Events are snapshots sent without an order: one whose document is older than the cached copy was
  // overtaken by a newer one, and so is its source (whose `updatedAt` does not move with its documents).
  if (event.document && !event.deleted && isStale(event.document, cachedDocument(queryClient, event.document))) return;
  if (!event.source && event.deleted) {
    removeSource(queryClient, event.sourceId);
    return;
  }
  if (event.source) storeSource(queryClient, event.source);

  const doc = event.document;
  if (event.deleted) {
    if (doc) removeDocument(queryClient, event.sourceId, doc.id);
    else void queryClient.invalidateQueries({ queryKey: knowledgeKeys.documents(event.sourceId) });
  } else if (doc) {
    const before = queryClient.getQueryData<KnowledgeDocumentDto>(knowledgeKeys.document(doc.id));
    storeDocument(queryClient, doc);
    if (doc.status === "ready" && before?.status !== "ready") {
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.chunks(doc.id) });
    }
  }
  // An import of many entries sends an event per entry: a refetch already under way is not restarted.
  void queryClient.invalidateQueries({ queryKey: knowledgeKeys.faq(event.sourceId) }, { cancelRefetch: false });
}
