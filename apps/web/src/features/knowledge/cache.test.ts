import type { KnowledgeDocumentDto, KnowledgeSourceDto } from "@tandem/contracts";
import { InfiniteQueryObserver, QueryClient } from "@tanstack/react-query";
import { describe, expect, it, vi } from "vitest";
import { applyKnowledgeEvent, type DocumentPages, type SourcePages } from "./cache";
import { knowledgeKeys } from "./keys";

const source = (over: Partial<KnowledgeSourceDto> = {}): KnowledgeSourceDto => ({
  id: "ks_1",
  name: "Policies",
  type: "document",
  chatbotId: null,
  category: null,
  status: "processing",
  error: null,
  url: null,
  counts: { documents: 2, ready: 1, failed: 0, chunks: 10 },
  progress: 40,
  lastSyncedAt: null,
  createdAt: "2026-12-07T05:00:00.000Z",
  updatedAt: "2026-12-07T05:00:01.000Z",
  ...over,
});

const doc = (over: Partial<KnowledgeDocumentDto> = {}): KnowledgeDocumentDto => ({
  id: "doc_1",
  sourceId: "ks_1",
  title: "returns.pdf",
  mimeType: "application/pdf",
  documentType: null,
  category: null,
  tags: [],
  language: null,
  sizeBytes: 1000,
  pages: 2,
  sourceUrl: null,
  status: "processing",
  progress: 40,
  error: null,
  warnings: [],
  chunkCount: 0,
  createdAt: "2026-12-07T05:00:00.000Z",
  updatedAt: "2026-12-07T05:00:01.000Z",
  ...over,
});

const pages = <T>(...rows: T[][]) => ({
  pages: rows.map((data, i) => ({ data, nextCursor: i < rows.length - 1 ? `c${i}` : null })),
  pageParams: rows.map((_, i) => (i === 0 ? null : `c${i - 1}`)),
});

function client() {
  return new QueryClient({ defaultOptions: { queries: { retry: false } } });
}

describe("applyKnowledgeEvent", () => {
  it("moves a source's status and progress in its detail and in every list that holds it", () => {
    const qc = client();
    qc.setQueryData(knowledgeKeys.source("ks_1"), source());
    qc.setQueryData(knowledgeKeys.sourceList({}), pages([source({ id: "ks_2", name: "Other" }), source()]));
    const next = source({ status: "ready", progress: 100, updatedAt: "2026-12-07T05:00:09.000Z" });
    applyKnowledgeEvent(qc, { sourceId: "ks_1", source: next, document: null, deleted: false });

    expect(qc.getQueryData<KnowledgeSourceDto>(knowledgeKeys.source("ks_1"))?.status).toBe("ready");
    const list = qc.getQueryData<SourcePages>(knowledgeKeys.sourceList({}))!;
    expect(list.pages[0]!.data.map((s) => [s.id, s.status, s.progress])).toEqual([
      ["ks_2", "processing", 40],
      ["ks_1", "ready", 100],
    ]);
  });

  it("puts a new source at the top of the lists it belongs to, and only those", () => {
    const qc = client();
    qc.setQueryData(knowledgeKeys.sourceList({}), pages([source({ id: "ks_old" })]));
    qc.setQueryData(knowledgeKeys.sourceList({ type: "faq" }), pages([]));
    qc.setQueryData(knowledgeKeys.sourceList({ chatbotId: "bot_a" }), pages([]));
    qc.setQueryData(knowledgeKeys.sourceList({ chatbotId: "bot_b" }), pages([]));
    const owned = source({ id: "ks_new", chatbotId: "bot_a" });
    applyKnowledgeEvent(qc, { sourceId: "ks_new", source: owned, document: null, deleted: false });

    const ids = (filter: object) =>
      qc.getQueryData<SourcePages>(knowledgeKeys.sourceList(filter))!.pages.flatMap((p) => p.data.map((s) => s.id));
    expect(ids({})).toEqual(["ks_new", "ks_old"]);
    expect(ids({ type: "faq" })).toEqual([]);
    expect(ids({ chatbotId: "bot_a" })).toEqual(["ks_new"]);
    expect(ids({ chatbotId: "bot_b" })).toEqual([]);
  });

  it("ignores an event older than what the cache holds (it overtook a newer answer)", () => {
    const qc = client();
    const fresh = source({ status: "ready", progress: 100, updatedAt: "2026-12-07T05:00:09.000Z" });
    qc.setQueryData(knowledgeKeys.source("ks_1"), fresh);
    qc.setQueryData(knowledgeKeys.sourceList({}), pages([fresh]));
    applyKnowledgeEvent(qc, { sourceId: "ks_1", source: source(), document: null, deleted: false });
    expect(qc.getQueryData<KnowledgeSourceDto>(knowledgeKeys.source("ks_1"))?.status).toBe("ready");
    expect(qc.getQueryData<SourcePages>(knowledgeKeys.sourceList({}))!.pages[0]!.data[0]!.status).toBe("ready");
  });

  it("ignores a whole event overtaken by a newer one: its older document and its source with it", () => {
    const qc = client();
    const ready = doc({ status: "ready", progress: 100, updatedAt: "2026-12-07T05:00:05.000Z" });
    qc.setQueryData(knowledgeKeys.documents("ks_1"), pages([ready]));
    qc.setQueryData(knowledgeKeys.source("ks_1"), source({ status: "ready", progress: 100 }));
    // Sent when the upload was accepted, delivered after the document became ready; the source's
    // `updatedAt` is the same in both, so only the document tells the order.
    applyKnowledgeEvent(qc, {
      sourceId: "ks_1",
      source: source(),
      document: doc({ status: "pending" }),
      deleted: false,
    });
    expect(qc.getQueryData<KnowledgeSourceDto>(knowledgeKeys.source("ks_1"))?.status).toBe("ready");
    expect(qc.getQueryData<DocumentPages>(knowledgeKeys.documents("ks_1"))!.pages[0]!.data[0]!.status).toBe("ready");
  });

  it("adds, updates and removes a document in its source's list", () => {
    const qc = client();
    qc.setQueryData(knowledgeKeys.documents("ks_1"), pages([doc()]));
    const titles = () =>
      qc
        .getQueryData<DocumentPages>(knowledgeKeys.documents("ks_1"))!
        .pages.flatMap((p) => p.data.map((d) => `${d.id}:${d.status}:${d.progress}`));

    applyKnowledgeEvent(qc, { sourceId: "ks_1", source: source(), document: doc({ id: "doc_2" }), deleted: false });
    const ready = doc({ status: "ready", progress: 100, chunkCount: 4, updatedAt: "2026-12-07T05:00:05.000Z" });
    applyKnowledgeEvent(qc, { sourceId: "ks_1", source: source(), document: ready, deleted: false });
    expect(titles()).toEqual(["doc_2:processing:40", "doc_1:ready:100"]);
    expect(qc.getQueryData<KnowledgeDocumentDto>(knowledgeKeys.document("doc_1"))?.chunkCount).toBe(4);

    applyKnowledgeEvent(qc, { sourceId: "ks_1", source: source(), document: doc({ id: "doc_2" }), deleted: true });
    expect(titles()).toEqual(["doc_1:ready:100"]);
  });

  it("refetches the source's documents when one was removed elsewhere (the event names only the source)", async () => {
    const qc = client();
    let fetched = 0;
    // An observer, as the source page has: invalidation refetches only what is shown.
    const observer = new InfiniteQueryObserver(qc, {
      queryKey: knowledgeKeys.documents("ks_1"),
      initialPageParam: null as string | null,
      getNextPageParam: () => null,
      queryFn: async () => {
        fetched++;
        return fetched === 1 ? pages([doc({ id: "doc_gone" }), doc()]).pages[0]! : pages([doc()]).pages[0]!;
      },
    });
    const unsubscribe = observer.subscribe(() => {});
    await vi.waitFor(() => expect(qc.getQueryState(knowledgeKeys.documents("ks_1"))?.status).toBe("success"));
    applyKnowledgeEvent(qc, { sourceId: "ks_1", source: source(), document: null, deleted: true });
    await vi.waitFor(() => expect(fetched).toBe(2));
    await vi.waitFor(() =>
      expect(
        qc.getQueryData<DocumentPages>(knowledgeKeys.documents("ks_1"))!.pages.flatMap((p) => p.data.map((d) => d.id)),
      ).toEqual(["doc_1"]),
    );
    expect(qc.getQueryData(knowledgeKeys.source("ks_1"))).toBeDefined();
    unsubscribe();
  });

  it("removes a deleted source from every list and forgets its pages", () => {
    const qc = client();
    qc.setQueryData(knowledgeKeys.source("ks_1"), source());
    qc.setQueryData(knowledgeKeys.documents("ks_1"), pages([doc()]));
    qc.setQueryData(knowledgeKeys.sourceList({}), pages([source(), source({ id: "ks_2" })]));
    applyKnowledgeEvent(qc, { sourceId: "ks_1", source: null, document: null, deleted: true });
    expect(qc.getQueryData(knowledgeKeys.source("ks_1"))).toBeUndefined();
    expect(qc.getQueryData(knowledgeKeys.documents("ks_1"))).toBeUndefined();
    expect(
      qc.getQueryData<SourcePages>(knowledgeKeys.sourceList({}))!.pages.flatMap((p) => p.data.map((s) => s.id)),
    ).toEqual(["ks_2"]);
  });
});
