import { type Db, knowledgeSources, type shopifyStores } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";

type StoreRow = typeof shopifyStores.$inferSelect;
export type CatalogSource = typeof knowledgeSources.$inferSelect;

/**
 * The store's `shopify` knowledge source, shared by every chatbot of the workspace: the one connect
 * made, or a new one when it is missing (deleted by hand, or a store connected before it existed).
 */
export async function ensureCatalogSource(db: Db, store: StoreRow): Promise<CatalogSource> {
  const [existing] = await db
    .select()
    .from(knowledgeSources)
    .where(
      and(
        eq(knowledgeSources.shopifyStoreId, store.id),
        eq(knowledgeSources.type, "shopify"),
        isNull(knowledgeSources.deletedAt),
      ),
    )
    .limit(1);
  if (existing) return existing;
  const [created] = await db
    .insert(knowledgeSources)
    .values({
      workspaceId: store.workspaceId,
      shopifyStoreId: store.id,
      type: "shopify",
      name: store.name ? `${store.name} catalog` : `${store.shopDomain} catalog`,
      status: "processing",
    })
    .returning();
  return created!;
}
