/**
 * Webhook bodies in Shopify's REST shape (snake_case, numeric ids, `admin_graphql_api_id` beside them).
 */
import { gid, resolveUrl } from "./schema.ts";
import type { SimBulkOperation, SimProduct, SimShop } from "./state.ts";

/** The fixed location every simulated shop stocks from. */
export const SIM_LOCATION_ID = 70_000_000_001;

/** `oldQuantities`: stock before the change by variant id (`old_inventory_quantity`), when it changed. */
export function productPayload(product: SimProduct, mountUrl: string, oldQuantities: Map<number, number> = new Map()) {
  const images = product.images.map((image, index) => ({
    id: image.id,
    product_id: product.id,
    position: index + 1,
    alt: image.altText,
    width: 800,
    height: 800,
    src: resolveUrl({ mountUrl }, image.url),
    variant_ids: [],
    admin_graphql_api_id: gid("ProductImage", image.id),
  }));
  return {
    id: product.id,
    admin_graphql_api_id: gid("Product", product.id),
    title: product.title,
    body_html: product.descriptionHtml,
    vendor: product.vendor,
    product_type: product.productType,
    handle: product.handle,
    created_at: product.createdAt,
    updated_at: product.updatedAt,
    published_at: product.status === "ACTIVE" ? product.createdAt : null,
    template_suffix: null,
    published_scope: "web",
    tags: product.tags.join(", "),
    status: product.status.toLowerCase(),
    variants: product.variants.map((variant) => ({
      id: variant.id,
      admin_graphql_api_id: gid("ProductVariant", variant.id),
      product_id: product.id,
      title: variant.title,
      price: variant.price,
      compare_at_price: variant.compareAtPrice,
      sku: variant.sku,
      position: variant.position,
      inventory_policy: variant.inventoryPolicy.toLowerCase(),
      option1: variant.selectedOptions[0]?.value ?? null,
      option2: variant.selectedOptions[1]?.value ?? null,
      option3: variant.selectedOptions[2]?.value ?? null,
      created_at: variant.createdAt,
      updated_at: variant.updatedAt,
      taxable: true,
      barcode: null,
      inventory_item_id: variant.inventoryItemId,
      inventory_quantity: variant.inventoryQuantity,
      old_inventory_quantity: oldQuantities.get(variant.id) ?? variant.inventoryQuantity,
      requires_shipping: true,
      image_id: null,
    })),
    options: product.options.map((option, index) => ({
      id: option.id,
      product_id: product.id,
      name: option.name,
      position: index + 1,
      values: option.values,
    })),
    images,
    image: images[0] ?? null,
    media: images.map((image) => ({
      id: image.id,
      alt: image.alt,
      media_content_type: "IMAGE",
      position: image.position,
    })),
    variant_gids: product.variants.map((variant) => ({
      admin_graphql_api_id: gid("ProductVariant", variant.id),
      updated_at: variant.updatedAt,
    })),
    has_variants_that_requires_components: false,
    category: null,
  };
}

export function inventoryLevelPayload(inventoryItemId: number, available: number, updatedAt: string) {
  return {
    inventory_item_id: inventoryItemId,
    location_id: SIM_LOCATION_ID,
    available,
    updated_at: updatedAt,
    admin_graphql_api_id: `gid://shopify/InventoryLevel/${SIM_LOCATION_ID}?inventory_item_id=${inventoryItemId}`,
  };
}

export function shopPayload(shop: SimShop) {
  return {
    id: shop.id,
    name: shop.name,
    email: shop.contactEmail,
    domain: new URL(shop.primaryDomainUrl).host,
    myshopify_domain: shop.domain,
    currency: shop.currencyCode,
    plan_name: "basic",
    plan_display_name: "Basic",
  };
}

export interface PrivacyCustomer {
  id: number;
  email: string;
  phone: string | null;
}

export function customersDataRequestPayload(shop: SimShop, customer: PrivacyCustomer, requestId: number) {
  return {
    shop_id: shop.id,
    shop_domain: shop.domain,
    orders_requested: [],
    customer,
    data_request: { id: requestId },
  };
}

export function customersRedactPayload(shop: SimShop, customer: PrivacyCustomer) {
  return { shop_id: shop.id, shop_domain: shop.domain, customer, orders_to_redact: [] };
}

export function shopRedactPayload(shop: SimShop) {
  return { shop_id: shop.id, shop_domain: shop.domain };
}

export function bulkFinishPayload(operation: SimBulkOperation) {
  return {
    admin_graphql_api_id: gid("BulkOperation", operation.id),
    completed_at: operation.completedAt,
    created_at: operation.createdAt,
    error_code: operation.errorCode ? operation.errorCode.toLowerCase() : null,
    status: operation.status.toLowerCase(),
    type: "query",
  };
}
