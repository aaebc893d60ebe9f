import { relations, sql } from "drizzle-orm";
import { index, integer, jsonb, pgEnum, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";
import { chatbots } from "./chatbots.ts";
import { createdAt, idColumn, tstz, updatedAt } from "./columns.ts";
import { bytea, tsvector, vector } from "./custom-types.ts";
import { workspaces } from "./identity.ts";
import { products, shopifyStores } from "./shopify.ts";

/**
 * The knowledge base: sources (an upload batch, an FAQ set, a Shopify catalog, a URL) hold documents,
 * documents are cut into chunks, chunks are searched by full text always and by embeddings when a
 * provider computes them. A source with no chatbot serves every chatbot of the workspace.
 *
 * chunk_embedding exists only where the server has pgvector: the migration creates it inside a guard,
 * so code must check `Database.vector` before touching it. Its vectors have no fixed dimension (each
 * row records model and dimensions) and therefore no ANN index; retrieval filters on the chatbot's
 * current model and scans, which is fine at the sizes a self-hosted workspace holds.
 */

export const knowledgeSourceType = pgEnum("knowledge_source_type", ["document", "faq", "shopify", "url", "text"]);
export const knowledgeStatus = pgEnum("knowledge_status", ["pending", "processing", "ready", "failed"]);

export const knowledgeSources = pgTable(
  "knowledge_source",
  {
    id: idColumn("knowledgeSource"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    chatbotId: text("chatbot_id").references(() => chatbots.id, { onDelete: "cascade" }),
    shopifyStoreId: text("shopify_store_id").references(() => shopifyStores.id, { onDelete: "cascade" }),
    type: knowledgeSourceType("type").notNull(),
    name: text("name").notNull(),
    category: text("category"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    status: knowledgeStatus("status").notNull().default("pending"),
    lastSyncedAt: tstz("last_synced_at"),
    error: text("error"),
    deletedAt: tstz("deleted_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("knowledge_source_workspace_idx").on(t.workspaceId),
    index("knowledge_source_chatbot_idx").on(t.chatbotId),
  ],
);

export const documents = pgTable(
  "document",
  {
    id: idColumn("document"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    sourceId: text("source_id")
      .notNull()
      .references(() => knowledgeSources.id, { onDelete: "cascade" }),
    /** The product a Shopify document describes; one document per product and source. */
    productId: text("product_id").references(() => products.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    mimeType: text("mime_type"),
    category: text("category"),
    documentType: text("document_type"),
    language: text("language"),
    content: text("content").notNull().default(""),
    checksum: text("checksum"),
    sizeBytes: integer("size_bytes").notNull().default(0),
    status: knowledgeStatus("status").notNull().default("pending"),
    error: text("error"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    /** The page a URL source fetched it from. */
    sourceUrl: text("source_url"),
    /** Pages of a PDF (all of them, even past the page cap). */
    pages: integer("pages"),
    /** 0–100 while the ingest job runs. */
    progress: integer("progress").notNull().default(0),
    /** What a person should know about the extraction: pages skipped, OCR used, low OCR confidence. */
    warnings: jsonb("warnings").$type<string[]>().notNull().default([]),
    deletedAt: tstz("deleted_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("document_workspace_idx").on(t.workspaceId),
    index("document_source_idx").on(t.sourceId),
    uniqueIndex("document_source_product_key").on(t.sourceId, t.productId).where(sql`${t.productId} is not null`),
  ],
);

/** The uploaded file of a document, kept so it can be ingested again (re-ingest, a new chunker). */
export const documentFiles = pgTable("document_file", {
  documentId: text("document_id")
    .primaryKey()
    .references(() => documents.id, { onDelete: "cascade" }),
  workspaceId: text("workspace_id")
    .notNull()
    .references(() => workspaces.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  mimeType: text("mime_type"),
  bytes: bytea("bytes").notNull(),
  createdAt: createdAt(),
});

export const chunks = pgTable(
  "chunk",
  {
    id: idColumn("chunk"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    documentId: text("document_id")
      .notNull()
      .references(() => documents.id, { onDelete: "cascade" }),
    sourceId: text("source_id")
      .notNull()
      .references(() => knowledgeSources.id, { onDelete: "cascade" }),
    /** Copied from the source so retrieval filters without a join. */
    chatbotId: text("chatbot_id").references(() => chatbots.id, { onDelete: "cascade" }),
    ordinal: integer("ordinal").notNull(),
    content: text("content").notNull(),
    tokenCount: integer("token_count").notNull().default(0),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    /**
     * Extra index terms written at ingest: the heading path, and the character bigrams of Thai,
     * Japanese and Chinese text (which the `simple` parser cannot split into words).
     */
    searchTerms: text("search_terms").notNull().default(""),
    search: tsvector("search").generatedAlwaysAs(sql`to_tsvector('simple', "content" || ' ' || "search_terms")`),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("chunk_document_ordinal_key").on(t.documentId, t.ordinal),
    index("chunk_workspace_source_idx").on(t.workspaceId, t.sourceId),
    index("chunk_search_idx").using("gin", t.search),
  ],
);

export const chunkEmbeddings = pgTable(
  "chunk_embedding",
  {
    chunkId: text("chunk_id")
      .notNull()
      .references(() => chunks.id, { onDelete: "cascade" }),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    model: text("model").notNull(),
    dimensions: integer("dimensions").notNull(),
    embedding: vector("embedding").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "chunk_embedding_pkey", columns: [t.chunkId, t.model] }),
    index("chunk_embedding_workspace_model_idx").on(t.workspaceId, t.model),
  ],
);

export const knowledgeSourcesRelations = relations(knowledgeSources, ({ one, many }) => ({
  workspace: one(workspaces, { fields: [knowledgeSources.workspaceId], references: [workspaces.id] }),
  chatbot: one(chatbots, { fields: [knowledgeSources.chatbotId], references: [chatbots.id] }),
  shopifyStore: one(shopifyStores, { fields: [knowledgeSources.shopifyStoreId], references: [shopifyStores.id] }),
  documents: many(documents),
}));

export const documentsRelations = relations(documents, ({ one, many }) => ({
  source: one(knowledgeSources, { fields: [documents.sourceId], references: [knowledgeSources.id] }),
  product: one(products, { fields: [documents.productId], references: [products.id] }),
  chunks: many(chunks),
}));

export const chunksRelations = relations(chunks, ({ one, many }) => ({
  document: one(documents, { fields: [chunks.documentId], references: [documents.id] }),
  source: one(knowledgeSources, { fields: [chunks.sourceId], references: [knowledgeSources.id] }),
  embeddings: many(chunkEmbeddings),
}));

export const chunkEmbeddingsRelations = relations(chunkEmbeddings, ({ one }) => ({
  chunk: one(chunks, { fields: [chunkEmbeddings.chunkId], references: [chunks.id] }),
}));
