import type { ProductVariant } from "@tandem/db";
import { htmlToText } from "../extract/html-to-text.ts";
import type { ShopifyAdminApi } from "./shopify-api.ts";

/**
 * What the sync asks Shopify's GraphQL Admin API for, and how a product comes back as a `product`
 * row. The same fields are read by pages (`products(first: 100)`), by a bulk operation (JSONL, the
 * variants as rows of their own pointing at their product with `__parentId`) and by the webhook
 * path (`product(id)`), so the three cannot disagree.
 */

const VARIANT_FIELDS = `id title sku price compareAtPrice availableForSale inventoryQuantity
  selectedOptions { name value } inventoryItem { id }`;

const PRODUCT_FIELDS = `id title handle status vendor productType tags descriptionHtml updatedAt onlineStoreUrl
  totalInventory featuredImage { url }`;

/**
 * A page's size is bound by Shopify's limit of 1,000 points for one query (a connection costs its
 * `first` times the cost of one node): 25 products with 10 variants each cost 852, where 100 products
 * with 20 variants each would cost 6,402 and be refused (`MAX_COST_EXCEEDED`). A product with more
 * variants has the rest read on its own, 100 at a time.
 */
export const PAGE_PRODUCTS = 25;
const PAGE_VARIANTS = 10;

export const SHOP_QUERY = `query ShopMetadata {
  shop { id name email myshopifyDomain currencyCode description contactEmail primaryDomain { url host } }
}`;

export const PRODUCTS_COUNT_QUERY = `query ProductsCount { productsCount { count } }`;

export const PRODUCTS_PAGE_QUERY = `query ProductsPage($after: String) {
  products(first: ${PAGE_PRODUCTS}, after: $after) {
    nodes { ${PRODUCT_FIELDS}
      variants(first: ${PAGE_VARIANTS}) { nodes { ${VARIANT_FIELDS} } pageInfo { hasNextPage endCursor } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const PRODUCT_QUERY = `query Product($id: ID!) {
  product(id: $id) { ${PRODUCT_FIELDS}
    variants(first: 100) { nodes { ${VARIANT_FIELDS} } pageInfo { hasNextPage endCursor } } }
}`;

const PRODUCT_VARIANTS_QUERY = `query ProductVariants($id: ID!, $after: String) {
  product(id: $id) { variants(first: 100, after: $after) { nodes { ${VARIANT_FIELDS} } pageInfo { hasNextPage endCursor } } }
}`;

/** The bulk operation's query: connections without `first`, edges and nodes, as bulk queries are written. */
export const BULK_PRODUCTS_QUERY = `{
  products { edges { node { ${PRODUCT_FIELDS}
    variants { edges { node { ${VARIANT_FIELDS} } } } } } }
}`;

export interface ShopNode {
  id?: string;
  name: string;
  email?: string | null;
  myshopifyDomain?: string;
  currencyCode: string;
  description?: string | null;
  contactEmail?: string | null;
  primaryDomain?: { url: string; host?: string } | null;
}

export interface VariantNode {
  id: string;
  title: string;
  sku?: string | null;
  price: string | number;
  compareAtPrice?: string | number | null;
  availableForSale?: boolean | null;
  inventoryQuantity?: number | null;
  selectedOptions?: { name: string; value: string }[] | null;
  inventoryItem?: { id: string } | null;
}

export interface ProductNode {
  id: string;
  title: string;
  handle?: string | null;
  status?: string | null;
  vendor?: string | null;
  productType?: string | null;
  tags?: string[] | string | null;
  descriptionHtml?: string | null;
  description?: string | null;
  updatedAt?: string | null;
  onlineStoreUrl?: string | null;
  totalInventory?: number | null;
  featuredImage?: { url: string } | null;
  variants?: { nodes: VariantNode[]; pageInfo?: { hasNextPage: boolean; endCursor: string | null } } | null;
}

/** The store fields a product row takes from its shop. */
export interface CatalogShop {
  currency: string | null;
  primaryDomainUrl: string | null;
}

/** A product as the `product` table holds it (without ids, workspace and store). */
export interface ProductRecord {
  platformId: string;
  handle: string | null;
  title: string;
  description: string | null;
  vendor: string | null;
  productType: string | null;
  tags: string[];
  status: string | null;
  url: string | null;
  imageUrl: string | null;
  totalInventory: number | null;
  priceMin: string | null;
  priceMax: string | null;
  currency: string | null;
  available: boolean;
  variants: ProductVariant[];
  raw: Record<string, unknown>;
  updatedAtPlatform: Date | null;
}

/** A GraphQL product (its variants already gathered) as a row. */
export function toProductRecord(node: ProductNode, variants: VariantNode[], shop: CatalogShop): ProductRecord {
  const mapped = variants.map(toVariant);
  const prices = mapped.map((v) => Number(v.price)).filter((p) => Number.isFinite(p));
  const priceOf = (n: number) => mapped.find((v) => Number(v.price) === n)?.price ?? null;
  const quantities = mapped.map((v) => v.inventoryQuantity).filter((q): q is number => typeof q === "number");
  const handle = node.handle ?? null;
  const { variants: _variants, ...raw } = node;
  return {
    platformId: node.id,
    handle,
    title: node.title,
    description: descriptionOf(node),
    vendor: node.vendor || null,
    productType: node.productType || null,
    tags: tagsOf(node.tags),
    status: node.status ?? null,
    url: node.onlineStoreUrl || (shop.primaryDomainUrl && handle ? productUrl(shop.primaryDomainUrl, handle) : null),
    imageUrl: node.featuredImage?.url ?? null,
    totalInventory:
      typeof node.totalInventory === "number"
        ? node.totalInventory
        : quantities.length
          ? quantities.reduce((a, b) => a + b, 0)
          : null,
    priceMin: prices.length ? priceOf(Math.min(...prices)) : null,
    priceMax: prices.length ? priceOf(Math.max(...prices)) : null,
    currency: shop.currency,
    available: (node.status ?? "ACTIVE") === "ACTIVE" && mapped.some((v) => v.available),
    variants: mapped,
    raw,
    updatedAtPlatform: node.updatedAt ? new Date(node.updatedAt) : null,
  };
}

function toVariant(node: VariantNode): ProductVariant {
  const options: Record<string, string> = {};
  for (const o of node.selectedOptions ?? []) options[o.name] = o.value;
  return {
    id: node.id,
    title: node.title,
    sku: node.sku || null,
    price: decimal(node.price) ?? "0",
    compareAtPrice: decimal(node.compareAtPrice),
    available: node.availableForSale ?? (node.inventoryQuantity ?? 1) > 0,
    inventoryQuantity: node.inventoryQuantity ?? null,
    options,
    inventoryItemId: node.inventoryItem?.id ?? null,
  };
}

function decimal(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined || value === "") return null;
  return typeof value === "number" ? value.toFixed(2) : value;
}

function tagsOf(tags: ProductNode["tags"]): string[] {
  const list = typeof tags === "string" ? tags.split(",") : (tags ?? []);
  return list.map((t) => t.trim()).filter(Boolean);
}

function descriptionOf(node: ProductNode): string | null {
  const text = node.descriptionHtml ? htmlToText(node.descriptionHtml).text : (node.description ?? "");
  return text.trim() || null;
}

/** `https://shop.example.com/products/{handle}` from the storefront's primary domain. */
export function productUrl(primaryDomainUrl: string, handle: string): string {
  return `${primaryDomainUrl.replace(/\/+$/, "")}/products/${encodeURIComponent(handle)}`;
}

/** A product id as Shopify's webhooks give it (a number, or the GID) as a GID. */
export function productGid(id: string | number): string {
  const s = String(id);
  return s.startsWith("gid://") ? s : `gid://shopify/Product/${s}`;
}

/** Every variant of a page's product: the ones that came with it, then the rest, 100 at a time. */
export async function allVariants(api: ShopifyAdminApi, node: ProductNode): Promise<VariantNode[]> {
  const variants = [...(node.variants?.nodes ?? [])];
  let info = node.variants?.pageInfo;
  while (info?.hasNextPage && info.endCursor) {
    const { data } = await api.graphql<{ product: { variants: NonNullable<ProductNode["variants"]> } | null }>(
      PRODUCT_VARIANTS_QUERY,
      { id: node.id, after: info.endCursor },
    );
    if (!data.product) break;
    variants.push(...data.product.variants.nodes);
    info = data.product.variants.pageInfo;
  }
  return variants;
}

/** One product read fresh (webhooks, a bulk row whose variants came too late): null once it is gone. */
export async function fetchProduct(api: ShopifyAdminApi, id: string, shop: CatalogShop): Promise<ProductRecord | null> {
  const { data } = await api.graphql<{ product: ProductNode | null }>(PRODUCT_QUERY, { id });
  if (!data.product) return null;
  return toProductRecord(data.product, await allVariants(api, data.product), shop);
}
