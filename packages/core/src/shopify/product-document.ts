import { createHash } from "node:crypto";
import type { ProductRecord } from "./catalog-query.ts";

/**
 * The knowledge document of one product: what retrieval finds when a customer asks about it. A
 * heading with the title (every chunk keeps it as its heading path), the description, then the
 * facts a sales answer quotes — vendor, type, tags, each variant with its options, price with
 * currency and stock, the product page. Written from the synced row, so prices are the current ones.
 */
export function productDocumentText(product: ProductRecord): string {
  const lines = [`# ${product.title}`, ""];
  if (product.description) lines.push(product.description, "");
  const facts: string[] = [];
  if (product.vendor) facts.push(`Vendor: ${product.vendor}`);
  if (product.productType) facts.push(`Type: ${product.productType}`);
  if (product.tags.length) facts.push(`Tags: ${product.tags.join(", ")}`);
  const price = priceRange(product);
  if (price) facts.push(`Price: ${price}`);
  facts.push(`Availability: ${product.available ? "in stock" : "out of stock"}`);
  if (product.url) facts.push(`URL: ${product.url}`);
  lines.push(...facts);
  const variants = product.variants.filter((v) => !(product.variants.length === 1 && v.title === "Default Title"));
  if (variants.length) {
    lines.push("", "Variants:");
    for (const v of variants) {
      const options = Object.entries(v.options ?? {})
        .map(([name, value]) => `${name}: ${value}`)
        .join(", ");
      const stock = v.available
        ? typeof v.inventoryQuantity === "number" && v.inventoryQuantity > 0
          ? `in stock (${v.inventoryQuantity})`
          : "in stock"
        : "out of stock";
      const compare =
        v.compareAtPrice && Number(v.compareAtPrice) > Number(v.price)
          ? `, was ${money(v.compareAtPrice, product.currency)}`
          : "";
      lines.push(
        `- ${v.title}${options ? ` (${options})` : ""}: ${money(v.price, product.currency)}${compare}, ${stock}${v.sku ? `, SKU ${v.sku}` : ""}`,
      );
    }
  }
  return `${lines.join("\n").trim()}\n`;
}

/** The checksum a product's document keeps: its chunks (and embeddings) are rewritten only when it changes. */
export function productDocumentChecksum(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function priceRange(product: ProductRecord): string | null {
  if (!product.priceMin) return null;
  if (!product.priceMax || Number(product.priceMax) === Number(product.priceMin))
    return money(product.priceMin, product.currency);
  return `${money(product.priceMin, product.currency)} – ${money(product.priceMax, product.currency)}`;
}

function money(amount: string, currency: string | null): string {
  const n = Number(amount);
  const value = Number.isFinite(n) ? n.toFixed(2) : amount;
  return currency ? `${value} ${currency}` : value;
}
