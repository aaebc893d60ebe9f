import type { ShopifyStoreDto } from "@tandem/contracts";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { getShopifyStoreInWorkspace } from "./get-store-in-workspace.ts";
import { retireShopifyStore } from "./retire-store.ts";
import { auditView } from "./save-connection.ts";
import { shopifyAdminApi } from "./shopify-client.ts";
import type { ShopifyDeps } from "./shopify-deps.ts";
import { loadShopifyStoreDto, publishShopifyUpdate } from "./store-to-dto.ts";
import { deleteShopifyWebhooks } from "./webhook-subscriptions.ts";

/**
 * Disconnects a store (OWNER, ADMIN; audited): its webhook subscriptions are removed at Shopify first,
 * best effort — what could not be removed is kept readable on the store (`webhooks.error`) — then
 * `retireShopifyStore` marks it disconnected and removes its catalog and knowledge source. Answers
 * the store as it is now. Disconnecting a disconnected store changes nothing more.
 */
export async function disconnectShopifyStore(
  ctx: Ctx,
  input: { id: string },
  deps: ShopifyDeps,
): Promise<ShopifyStoreDto> {
  assertActorCan(ctx, "integrations.manage");
  const store = await getShopifyStoreInWorkspace(ctx, input.id);
  let webhookError: string | null = null;
  if (store.status !== "disconnected" && store.webhookSubscriptions.length > 0) {
    const api = shopifyAdminApi({ ...deps, db: ctx.db, log: ctx.log }, store);
    webhookError = await deleteShopifyWebhooks(api, store.webhookSubscriptions).catch(
      (error: Error) => `Webhooks could not be removed at Shopify: ${error.message}`,
    );
  }
  const updated = await withTransaction(ctx, async (tx) => {
    const locked = await getShopifyStoreInWorkspace(tx, input.id, { forUpdate: true });
    if (locked.status === "disconnected") return locked;
    const retired = await retireShopifyStore(tx, locked, {
      reason: "Disconnected in Tandem",
      webhookError,
      keyring: deps.keyring,
    });
    await recordAudit(tx, {
      action: "shopify_store.disconnect",
      entityType: "shopify_store",
      entityId: locked.id,
      before: auditView(locked),
      after: { ...auditView(retired), webhookError },
    });
    return retired;
  });
  ctx.log.info({ storeId: store.id, shopDomain: store.shopDomain, webhookError }, "shopify store disconnected");
  await publishShopifyUpdate({ ...ctx, config: deps.config }, { workspaceId: store.workspaceId, storeId: store.id });
  return loadShopifyStoreDto(ctx.db, updated, deps.config);
}
