import { createRoute, z } from "@hono/zod-openapi";
import { ShopifyProductListQuery, ShopifyProductListResponse, ShopifySyncDto } from "@tandem/contracts";
import { listShopifyProducts, requestShopifySync, shopifyDeps } from "@tandem/core";
import { createRouter, errors, json, permit } from "../openapi.ts";

const TAG = ["shopify"];
const StoreParam = z.object({ id: z.string().min(1).max(64) });

/**
 * A Shopify store's catalog (docs/shopify.md "Catalog sync"): a resync, and the synced products.
 * Connecting and disconnecting a store are the connection routes'.
 */
export function shopifyCatalogRoutes() {
  const app = createRouter();

  // POST /api/v1/integrations/shopify/{id}/sync — start a full sync of the store
  app.openapi(
    createRoute({
      method: "post",
      path: "/integrations/shopify/{id}/sync",
      tags: TAG,
      ...permit("integrations.manage"),
      description:
        "Starts a full sync of the store's shop metadata and catalog in the background (progress arrives as `shopify:updated`). 409 `shopify_sync_running` while a sync runs; 409 `shopify_store_disconnected` for a disconnected store. Audited as `shopify_store.sync`.",
      request: { params: StoreParam },
      responses: { 202: json(ShopifySyncDto), ...errors(401, 403, 404, 409, 503) },
    }),
    async (c) =>
      c.json(await requestShopifySync(c.get("ctx"), c.req.valid("param"), shopifyDeps(c.get("runtime"))), 202),
  );

  // GET /api/v1/integrations/shopify/{id}/products — the store's synced products, by title
  app.openapi(
    createRoute({
      method: "get",
      path: "/integrations/shopify/{id}/products",
      tags: TAG,
      ...permit("chatbots.read"),
      request: { params: StoreParam, query: ShopifyProductListQuery },
      responses: { 200: json(ShopifyProductListResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(await listShopifyProducts(c.get("ctx"), { id: c.req.valid("param").id, ...c.req.valid("query") }), 200),
  );

  return app;
}
