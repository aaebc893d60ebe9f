import { type Db, documents, type KnowledgeFilters, knowledgeSources, products, shopifyStores } from "@tandem/db";
import { and, eq, inArray, isNotNull, isNull, ne, or, sql } from "drizzle-orm";
import { fullTextQuery } from "../bots/retrieve-knowledge.ts";
import type { KnowledgeItem } from "../llm/types.ts";
import { type ProductFact, type StoreFact, titleCoverage } from "./product-facts.ts";

/** At most this many products are candidates for one reply (the prompt's budget then cuts further). */
export const MAX_PRODUCT_CANDIDATES = 20;
/** Alternatives offered for an out-of-stock product. */
const ALTERNATIVES = 2;
/** A product whose title the question names at least this much is a direct match. */
const TITLE_MATCH = 0.5;

export interface ProductsForQuestion {
  /** The stores the chatbot sees (through their catalog's knowledge source), first connected first. */
  stores: StoreFact[];
  /** The current rows of the products the question is about, best first, then alternatives to out-of-stock ones. */
  products: ProductFact[];
  /** The product each retrieved product document describes (document id → product id). */
  documentProducts: Map<string, string>;
}

type Chatbot = { id: string; workspaceId: string; knowledgeFilters?: KnowledgeFilters | null };

/**
 * The products a reply may talk about, read fresh for the reply: those whose knowledge documents
 * retrieval ranked for the question (`retrieved`, so the chatbot's sources and filters apply), and
 * those whose title the question names (a direct match of the catalog of the stores the chatbot
 * sees) — then, for the first few that are out of stock in some variant, up to two available
 * products of the same type or sharing a tag. Never the whole catalog. Deleted products and
 * disconnected stores are left out. Reads only.
 */
export async function productsForQuestion(
  db: Db,
  chatbot: Chatbot,
  question: string,
  retrieved: readonly KnowledgeItem[],
): Promise<ProductsForQuestion> {
  const none: ProductsForQuestion = { stores: [], products: [], documentProducts: new Map() };
  const filters = chatbot.knowledgeFilters ?? {};
  if (filters.types?.length && !filters.types.includes("shopify")) return none;
  const storeRows = await db
    .select({
      id: shopifyStores.id,
      name: shopifyStores.name,
      shopDomain: shopifyStores.shopDomain,
      currency: shopifyStores.currency,
      primaryDomainUrl: shopifyStores.primaryDomainUrl,
      metadata: shopifyStores.metadata,
      sourceId: knowledgeSources.id,
    })
    .from(knowledgeSources)
    .innerJoin(shopifyStores, eq(shopifyStores.id, knowledgeSources.shopifyStoreId))
    .where(
      and(
        eq(knowledgeSources.workspaceId, chatbot.workspaceId),
        isNull(knowledgeSources.deletedAt),
        or(eq(knowledgeSources.chatbotId, chatbot.id), isNull(knowledgeSources.chatbotId)),
        ne(shopifyStores.status, "disconnected"),
        filters.sourceIds?.length ? inArray(knowledgeSources.id, filters.sourceIds) : undefined,
      ),
    )
    .orderBy(shopifyStores.createdAt, shopifyStores.id);
  if (storeRows.length === 0) return none;
  const storeIds = [...new Set(storeRows.map((s) => s.id))];
  const sourceIds = storeRows.map((s) => s.sourceId);
  const stores = storeIds.map((id) => {
    const s = storeRows.find((r) => r.id === id)!;
    const description = s.metadata?.description;
    return {
      name: s.name,
      shopDomain: s.shopDomain,
      currency: s.currency,
      primaryDomainUrl: s.primaryDomainUrl,
      description: typeof description === "string" && description.trim() ? description : null,
    };
  });

  const documentIds = [...new Set(retrieved.flatMap((k) => (k.documentId ? [k.documentId] : [])))];
  const tsquery = fullTextQuery(question);
  const live = and(inArray(products.storeId, storeIds), isNull(products.deletedAt));
  const [ofDocuments, byTitle] = await Promise.all([
    documentIds.length
      ? db
          .select({ documentId: documents.id, productId: documents.productId })
          .from(documents)
          .where(
            and(
              inArray(documents.id, documentIds),
              inArray(documents.sourceId, sourceIds),
              isNotNull(documents.productId),
              isNull(documents.deletedAt),
            ),
          )
      : [],
    tsquery
      ? db
          .select({ id: products.id, title: products.title })
          .from(products)
          .where(and(live, sql`to_tsvector('simple', ${products.title}) @@ to_tsquery('simple', ${tsquery})`))
          .limit(200)
      : [],
  ]);

  const documentProducts = new Map(ofDocuments.map((d) => [d.documentId, d.productId!]));
  const retrievedOrder = documentIds.flatMap((id) => {
    const productId = documentProducts.get(id);
    return productId ? [productId] : [];
  });
  const titled = byTitle
    .map((p) => ({ id: p.id, coverage: titleCoverage(p.title, question) }))
    .filter((p) => p.coverage >= TITLE_MATCH)
    .sort((a, b) => b.coverage - a.coverage);
  // Products the question names in full first, then retrieval's ranking, then partial title matches.
  const ordered = [
    ...titled.filter((p) => p.coverage === 1).map((p) => p.id),
    ...retrievedOrder,
    ...titled.map((p) => p.id),
  ];
  const ids = [...new Set(ordered)].slice(0, MAX_PRODUCT_CANDIDATES);
  if (ids.length === 0) return { stores, products: [], documentProducts };

  const rows = await db
    .select()
    .from(products)
    .where(and(live, inArray(products.id, ids)));
  const byId = new Map(rows.map((r) => [r.id, toFact(r)]));
  const candidates = ids.flatMap((id) => byId.get(id) ?? []);
  const alternatives = await alternativesFor(db, candidates, live);
  return { stores, products: [...candidates, ...alternatives], documentProducts };
}

type ProductRow = typeof products.$inferSelect;

const toFact = (r: ProductRow): ProductFact => ({
  id: r.id,
  title: r.title,
  handle: r.handle,
  description: r.description,
  vendor: r.vendor,
  productType: r.productType,
  tags: r.tags,
  url: r.url,
  imageUrl: r.imageUrl,
  currency: r.currency,
  priceMin: r.priceMin,
  priceMax: r.priceMax,
  available: r.available,
  totalInventory: r.totalInventory,
  variants: r.variants,
});

const outOfStockSomewhere = (p: ProductFact) => !p.available || p.variants.some((v) => !v.available);

/**
 * Up to two available products of the same store with the same type or a shared tag, for each of the
 * first three candidates that are out of stock in some variant; not already candidates.
 */
async function alternativesFor(db: Db, candidates: ProductFact[], live: ReturnType<typeof and>) {
  const lacking = candidates.slice(0, 3).filter(outOfStockSomewhere);
  if (lacking.length === 0) return [];
  const taken = new Set(candidates.map((c) => c.id));
  const out: ProductFact[] = [];
  for (const product of lacking) {
    const similar = [
      product.productType ? eq(products.productType, product.productType) : undefined,
      product.tags.length
        ? sql`${products.tags} && ARRAY[${sql.join(
            product.tags.map((t) => sql`${t}`),
            sql`, `,
          )}]::text[]`
        : undefined,
    ].filter((c) => c !== undefined);
    if (similar.length === 0) continue;
    const rows = await db
      .select()
      .from(products)
      .where(
        and(
          live,
          eq(products.available, true),
          or(...similar),
          taken.size
            ? sql`${products.id} NOT IN (${sql.join(
                [...taken].map((id) => sql`${id}`),
                sql`, `,
              )})`
            : undefined,
        ),
      )
      .orderBy(products.title, products.id)
      .limit(ALTERNATIVES);
    for (const row of rows) {
      taken.add(row.id);
      out.push(toFact(row));
    }
  }
  return out;
}
