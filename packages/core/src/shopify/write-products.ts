import { chunks, type Db, documents, products } from "@tandem/db";
import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import { chunkText } from "../knowledge/chunk-text.ts";
import { scriptLanguage } from "../knowledge/script-language.ts";
import { replaceChunksOfMany } from "../knowledge/write-chunks.ts";
import type { ProductRecord } from "./catalog-query.ts";
import { productDocumentChecksum, productDocumentText } from "./product-document.ts";

/** Where a store's catalog is written: its products, and its knowledge source (one document per product). */
export interface CatalogTarget {
  store: { id: string; workspaceId: string };
  source: { id: string; chatbotId: string | null };
}

export interface WriteResult {
  /** Products inserted or updated (a copy newer than the incoming one is left alone). */
  written: number;
  /** Documents whose text changed: chunked again, their embeddings to be computed again. */
  reindexed: number;
  /** Documents removed because their product is no longer active (draft, archived). */
  unlisted: number;
}

const ACTIVE = "ACTIVE";

/**
 * Upserts a batch of products (on store + Shopify id) and their documents, in one transaction. A
 * product row whose `updated_at_platform` is newer than the incoming copy stays as it is, so a bulk
 * file read after a webhook cannot regress it. A document is rewritten, and its chunks replaced through
 * the knowledge chunker, only when its text's checksum changed: unchanged products keep their chunks
 * and embeddings. Products that are not active (draft, archived) keep their row but have no document.
 */
export async function writeProducts(db: Db, target: CatalogTarget, records: ProductRecord[]): Promise<WriteResult> {
  const unique = [...new Map(records.map((r) => [r.platformId, r])).values()];
  if (unique.length === 0) return { written: 0, reindexed: 0, unlisted: 0 };
  return db.transaction(async (txDb) => {
    const tx = txDb as unknown as Db;
    const now = new Date();
    const upserted = await tx
      .insert(products)
      .values(unique.map((r) => ({ ...r, workspaceId: target.store.workspaceId, storeId: target.store.id })))
      .onConflictDoUpdate({
        target: [products.storeId, products.platformId],
        set: {
          handle: sql`excluded.handle`,
          title: sql`excluded.title`,
          description: sql`excluded.description`,
          vendor: sql`excluded.vendor`,
          productType: sql`excluded.product_type`,
          tags: sql`excluded.tags`,
          status: sql`excluded.status`,
          url: sql`excluded.url`,
          imageUrl: sql`excluded.image_url`,
          totalInventory: sql`excluded.total_inventory`,
          priceMin: sql`excluded.price_min`,
          priceMax: sql`excluded.price_max`,
          currency: sql`excluded.currency`,
          available: sql`excluded.available`,
          variants: sql`excluded.variants`,
          raw: sql`excluded.raw`,
          updatedAtPlatform: sql`excluded.updated_at_platform`,
          deletedAt: null,
          updatedAt: now,
        },
        setWhere: sql`${products.updatedAtPlatform} is null or excluded.updated_at_platform is null
          or excluded.updated_at_platform >= ${products.updatedAtPlatform}`,
      })
      .returning({ id: products.id, platformId: products.platformId });
    if (upserted.length === 0) return { written: 0, reindexed: 0, unlisted: 0 };

    const byPlatformId = new Map(unique.map((r) => [r.platformId, r]));
    const rows = upserted.map((u) => ({ productId: u.id, record: byPlatformId.get(u.platformId)! }));
    const existing = await tx
      .select({
        id: documents.id,
        productId: documents.productId,
        checksum: documents.checksum,
        deletedAt: documents.deletedAt,
      })
      .from(documents)
      .where(
        and(
          eq(documents.sourceId, target.source.id),
          inArray(
            documents.productId,
            rows.map((r) => r.productId),
          ),
        ),
      );
    const docOf = new Map(existing.map((d) => [d.productId!, d]));

    const listed = rows.filter((r) => r.record.status === null || r.record.status === ACTIVE);
    const unlisted = rows
      .filter((r) => !listed.includes(r))
      .map((r) => docOf.get(r.productId))
      .filter((d): d is NonNullable<typeof d> => d !== undefined && d.deletedAt === null)
      .map((d) => d.id);
    if (unlisted.length) await removeDocuments(tx, unlisted, now);

    const changed = listed
      .map((r) => {
        const text = productDocumentText(r.record);
        return { ...r, text, checksum: productDocumentChecksum(text) };
      })
      .filter((r) => {
        const doc = docOf.get(r.productId);
        return !doc || doc.deletedAt !== null || doc.checksum !== r.checksum;
      });
    if (changed.length === 0) return { written: rows.length, reindexed: 0, unlisted: unlisted.length };

    const written = await tx
      .insert(documents)
      .values(
        changed.map((c) => ({
          workspaceId: target.store.workspaceId,
          sourceId: target.source.id,
          productId: c.productId,
          title: c.record.title,
          mimeType: "text/markdown",
          documentType: "product",
          category: c.record.productType,
          language: scriptLanguage(c.text),
          content: c.text,
          checksum: c.checksum,
          sizeBytes: Buffer.byteLength(c.text),
          status: "ready" as const,
          progress: 100,
          tags: c.record.tags,
          sourceUrl: c.record.url,
          metadata: { platformId: c.record.platformId, imageUrl: c.record.imageUrl },
        })),
      )
      .onConflictDoUpdate({
        target: [documents.sourceId, documents.productId],
        targetWhere: isNotNull(documents.productId),
        set: {
          title: sql`excluded.title`,
          category: sql`excluded.category`,
          language: sql`excluded.language`,
          content: sql`excluded.content`,
          checksum: sql`excluded.checksum`,
          sizeBytes: sql`excluded.size_bytes`,
          status: "ready",
          progress: 100,
          error: null,
          tags: sql`excluded.tags`,
          sourceUrl: sql`excluded.source_url`,
          metadata: sql`excluded.metadata`,
          deletedAt: null,
          updatedAt: now,
        },
      })
      .returning({ id: documents.id, productId: documents.productId });
    const textOf = new Map(changed.map((c) => [c.productId, c.text]));
    await replaceChunksOfMany(
      tx,
      written.map((d) => ({
        document: { id: d.id, workspaceId: target.store.workspaceId, sourceId: target.source.id },
        pieces: chunkText(textOf.get(d.productId!)!),
      })),
      target.source.chatbotId,
    );
    return { written: rows.length, reindexed: written.length, unlisted: unlisted.length };
  });
}

/**
 * Products no longer in the catalog: soft-deleted (messages' product cards keep their reference) and
 * their documents removed with their chunks (and embeddings, by cascade), in one transaction.
 */
export async function removeProducts(db: Db, target: CatalogTarget, productIds: string[]): Promise<number> {
  if (productIds.length === 0) return 0;
  return db.transaction(async (txDb) => {
    const tx = txDb as unknown as Db;
    const now = new Date();
    const gone = await tx
      .update(products)
      .set({ deletedAt: now, updatedAt: now })
      .where(and(eq(products.storeId, target.store.id), inArray(products.id, productIds), isNull(products.deletedAt)))
      .returning({ id: products.id });
    const docs = await tx
      .select({ id: documents.id })
      .from(documents)
      .where(and(inArray(documents.productId, productIds), isNull(documents.deletedAt)));
    await removeDocuments(
      tx,
      docs.map((d) => d.id),
      now,
    );
    return gone.length;
  });
}

async function removeDocuments(db: Db, ids: string[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  await db.update(documents).set({ deletedAt: now, updatedAt: now }).where(inArray(documents.id, ids));
  await db.delete(chunks).where(inArray(chunks.documentId, ids));
}
