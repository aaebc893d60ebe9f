import type { ProductDto } from "@tandem/contracts";
import type { products } from "@tandem/db";

type ProductRow = typeof products.$inferSelect;

/** Prices as decimal strings with the store's two places ("24.00"), never floats. */
const price = (value: string | null) => (value === null ? null : Number(value).toFixed(2));

export function productDto(row: ProductRow): ProductDto {
  return {
    id: row.id,
    storeId: row.storeId,
    platformId: row.platformId,
    title: row.title,
    handle: row.handle,
    description: row.description,
    vendor: row.vendor,
    productType: row.productType,
    tags: row.tags,
    url: row.url,
    imageUrl: row.imageUrl,
    currency: row.currency,
    priceMin: price(row.priceMin),
    priceMax: price(row.priceMax),
    available: row.available,
    totalInventory: row.totalInventory,
    variants: row.variants.map((v) => ({
      id: v.id,
      title: v.title,
      sku: v.sku ?? null,
      price: v.price,
      compareAtPrice: v.compareAtPrice ?? null,
      available: v.available,
      inventoryQuantity: v.inventoryQuantity ?? null,
      options: v.options ?? {},
    })),
    updatedAt: (row.updatedAtPlatform ?? row.updatedAt).toISOString(),
  };
}
