import { describe, expect, it } from "vitest";
import { type ProductNode, toProductRecord, type VariantNode } from "./catalog-query.ts";
import { productDocumentChecksum, productDocumentText } from "./product-document.ts";

const shop = { currency: "THB", primaryDomainUrl: "https://linen.example.com/" };

const node: ProductNode = {
  id: "gid://shopify/Product/11",
  title: "Linen Shirt",
  handle: "linen-shirt",
  status: "ACTIVE",
  vendor: "Tandem Linen",
  productType: "Shirts",
  tags: ["linen", "summer"],
  descriptionHtml: "<p>Breathable <strong>linen</strong>.</p><script>alert(1)</script>",
  updatedAt: "2026-12-01T10:00:00Z",
  onlineStoreUrl: null,
  totalInventory: 3,
  featuredImage: { url: "https://cdn.example.com/shirt.jpg" },
};

const variants: VariantNode[] = [
  {
    id: "gid://shopify/ProductVariant/1",
    title: "M / Natural",
    sku: "LS-M",
    price: "1290.00",
    compareAtPrice: "1590.00",
    availableForSale: true,
    inventoryQuantity: 3,
    selectedOptions: [
      { name: "Size", value: "M" },
      { name: "Color", value: "Natural" },
    ],
    inventoryItem: { id: "gid://shopify/InventoryItem/91" },
  },
  {
    id: "gid://shopify/ProductVariant/2",
    title: "L / Natural",
    sku: null,
    price: "1390.00",
    availableForSale: false,
    inventoryQuantity: 0,
    selectedOptions: [
      { name: "Size", value: "L" },
      { name: "Color", value: "Natural" },
    ],
    inventoryItem: { id: "gid://shopify/InventoryItem/92" },
  },
];

describe("a product as a row and as a knowledge document", () => {
  it("keeps prices as decimal strings, the first image, the inventory item and a storefront URL from the primary domain", () => {
    const record = toProductRecord(node, variants, shop);
    expect(record).toMatchObject({
      platformId: "gid://shopify/Product/11",
      url: "https://linen.example.com/products/linen-shirt",
      imageUrl: "https://cdn.example.com/shirt.jpg",
      priceMin: "1290.00",
      priceMax: "1390.00",
      currency: "THB",
      available: true,
      totalInventory: 3,
      description: "Breathable linen.",
    });
    expect(record.variants[0]).toMatchObject({
      options: { Size: "M", Color: "Natural" },
      inventoryItemId: "gid://shopify/InventoryItem/91",
    });
    expect(record.updatedAtPlatform?.toISOString()).toBe("2026-12-01T10:00:00.000Z");
  });

  it("writes title, description without HTML, facts, each variant with options, price, currency and stock, and the URL", () => {
    const text = productDocumentText(toProductRecord(node, variants, shop));
    expect(text).toContain("# Linen Shirt");
    expect(text).toContain("Breathable linen.");
    expect(text).not.toContain("<p>");
    expect(text).not.toContain("alert");
    expect(text).toContain("Vendor: Tandem Linen");
    expect(text).toContain("Tags: linen, summer");
    expect(text).toContain("Price: 1290.00 THB – 1390.00 THB");
    expect(text).toContain(
      "- M / Natural (Size: M, Color: Natural): 1290.00 THB, was 1590.00 THB, in stock (3), SKU LS-M",
    );
    expect(text).toContain("- L / Natural (Size: L, Color: Natural): 1390.00 THB, out of stock");
    expect(text).toContain("URL: https://linen.example.com/products/linen-shirt");
  });

  it("says out of stock when no variant can be sold, and its checksum follows the text", () => {
    const soldOut = toProductRecord(node, [{ ...variants[1]! }], shop);
    const text = productDocumentText(soldOut);
    expect(soldOut.available).toBe(false);
    expect(text).toContain("Availability: out of stock");
    expect(productDocumentChecksum(text)).toBe(productDocumentChecksum(productDocumentText(soldOut)));
    expect(productDocumentChecksum(text)).not.toBe(
      productDocumentChecksum(productDocumentText(toProductRecord(node, variants, shop))),
    );
  });
});
