import type {
  FaqEntryDto,
  KnowledgeDocumentDto,
  KnowledgeSourceDto,
  KnowledgeStatus,
  UrlSourceSettings,
} from "@tandem/contracts";
import { chunks, type Db, documents } from "@tandem/db";
import { and, count, eq, inArray, isNull, sql } from "drizzle-orm";
import type { DocumentRow } from "./get-document-in-workspace.ts";
import type { KnowledgeSourceRow } from "./get-knowledge-source-in-workspace.ts";

export interface SourceSummary {
  documents: number;
  ready: number;
  failed: number;
  active: number;
  /** Sum of the progress of the documents still pending or processing. */
  activeProgress: number;
  chunks: number;
  /** The first failed document's reason. */
  error: string | null;
  /** The latest change of one of its documents: the source's DTO is as new as that. */
  lastChange: Date | null;
}

const EMPTY: SourceSummary = {
  documents: 0,
  ready: 0,
  failed: 0,
  active: 0,
  activeProgress: 0,
  chunks: 0,
  error: null,
  lastChange: null,
};

/** Per source: its live documents by status and its chunks, in two grouped queries. */
export async function summarizeSources(db: Db, sourceIds: string[]): Promise<Map<string, SourceSummary>> {
  const out = new Map<string, SourceSummary>();
  if (sourceIds.length === 0) return out;
  const byStatus = await db
    .select({
      sourceId: documents.sourceId,
      documents: count(),
      ready: sql<number>`count(*) filter (where ${documents.status} = 'ready')`.mapWith(Number),
      failed: sql<number>`count(*) filter (where ${documents.status} = 'failed')`.mapWith(Number),
      active: sql<number>`count(*) filter (where ${documents.status} in ('pending', 'processing'))`.mapWith(Number),
      activeProgress:
        sql<number>`coalesce(sum(${documents.progress}) filter (where ${documents.status} in ('pending', 'processing')), 0)`.mapWith(
          Number,
        ),
      error: sql<string | null>`min(${documents.error}) filter (where ${documents.status} = 'failed')`,
      lastChange: sql<Date | null>`max(${documents.updatedAt})`.mapWith((v) => (v ? new Date(v) : null)),
    })
    .from(documents)
    .where(and(inArray(documents.sourceId, sourceIds), isNull(documents.deletedAt)))
    .groupBy(documents.sourceId);
  for (const row of byStatus) out.set(row.sourceId, { ...EMPTY, ...row, chunks: 0 });
  const chunkCounts = await db
    .select({ sourceId: chunks.sourceId, n: count() })
    .from(chunks)
    .innerJoin(documents, eq(documents.id, chunks.documentId))
    .where(and(inArray(chunks.sourceId, sourceIds), isNull(documents.deletedAt)))
    .groupBy(chunks.sourceId);
  for (const row of chunkCounts) {
    const summary = out.get(row.sourceId) ?? { ...EMPTY };
    out.set(row.sourceId, { ...summary, chunks: row.n });
  }
  return out;
}

/** `failed` if any document (or a URL source's fetch) failed, `processing` while any is pending or processing (or its pages are being fetched), else `ready`. */
export function knowledgeSourceDto(row: KnowledgeSourceRow, summary: SourceSummary = EMPTY): KnowledgeSourceDto {
  // A URL source's own row says whether its pages are being fetched (or could not be).
  const fetching = row.type === "url" && (row.status === "pending" || row.status === "processing");
  let status: KnowledgeStatus;
  if (summary.failed > 0 || row.status === "failed") status = "failed";
  else if (summary.active > 0 || fetching) status = "processing";
  else status = "ready";
  const url = row.type === "url" ? ((row.metadata as { url?: UrlSourceSettings }).url ?? null) : null;
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    chatbotId: row.chatbotId,
    category: row.category,
    status,
    error: row.error ?? summary.error,
    url,
    counts: { documents: summary.documents, ready: summary.ready, failed: summary.failed, chunks: summary.chunks },
    progress: summary.active > 0 ? Math.floor(summary.activeProgress / summary.active) : 100,
    lastSyncedAt: row.lastSyncedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    // Its status and counts move with its documents: so does its time, so the newer of two copies
    // (a live update, a refetch) can be told.
    updatedAt: (summary.lastChange && summary.lastChange > row.updatedAt
      ? summary.lastChange
      : row.updatedAt
    ).toISOString(),
  };
}

export async function loadSourceDto(db: Db, row: KnowledgeSourceRow): Promise<KnowledgeSourceDto> {
  return knowledgeSourceDto(row, (await summarizeSources(db, [row.id])).get(row.id));
}

export function knowledgeDocumentDto(row: DocumentRow, chunkCount: number): KnowledgeDocumentDto {
  return {
    id: row.id,
    sourceId: row.sourceId,
    title: row.title,
    mimeType: row.mimeType,
    documentType: row.documentType,
    category: row.category,
    tags: row.tags,
    language: row.language,
    sizeBytes: row.sizeBytes,
    pages: row.pages,
    sourceUrl: row.sourceUrl,
    status: row.status,
    progress: row.status === "ready" ? 100 : row.progress,
    error: row.error,
    warnings: row.warnings,
    chunkCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function chunkCountsOf(db: Db, documentIds: string[]): Promise<Map<string, number>> {
  if (documentIds.length === 0) return new Map();
  const rows = await db
    .select({ documentId: chunks.documentId, n: count() })
    .from(chunks)
    .where(inArray(chunks.documentId, documentIds))
    .groupBy(chunks.documentId);
  return new Map(rows.map((r) => [r.documentId, r.n]));
}

export async function loadDocumentDto(db: Db, row: DocumentRow): Promise<KnowledgeDocumentDto> {
  return knowledgeDocumentDto(row, (await chunkCountsOf(db, [row.id])).get(row.id) ?? 0);
}

export function faqEntryDto(row: DocumentRow): FaqEntryDto {
  return {
    id: row.id,
    sourceId: row.sourceId,
    question: row.title,
    answer: row.content,
    category: row.category,
    tags: row.tags,
    status: row.status,
    updatedAt: row.updatedAt.toISOString(),
  };
}
