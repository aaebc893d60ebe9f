import { knowledgeSources, products, shopifyStores } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { deleteKnowledgeSource } from "../knowledge/delete-knowledge-source.ts";
import type { Keyring } from "../secrets/keyring.ts";
import type { ShopifyStoreRow } from "./shopify-client.ts";

/**
 * What disconnecting does to our copy, in the caller's transaction (a user's disconnect, the app
 * uninstalled): the row stays, marked `disconnected` with the reason, so the dashboard shows what
 * happened and a late privacy webhook still finds its workspace; its token and secrets are wiped;
 * (an uninstall keeps the webhook secret, so Shopify's repeats of it still verify and deduplicate);
 * its products are deleted (their knowledge documents go with them) and its knowledge source is
 * removed, so no bot answers from a catalog nobody keeps current. Connecting the shop again reuses
 * the row.
 */
export async function retireShopifyStore(
  tx: Ctx,
  store: ShopifyStoreRow,
  input: { reason: string; webhookError: string | null; keyring: Keyring; keepWebhookSecret?: boolean },
): Promise<ShopifyStoreRow> {
  const now = new Date();
  await tx.db.delete(products).where(eq(products.storeId, store.id));
  const sources = await tx.db
    .select({ id: knowledgeSources.id })
    .from(knowledgeSources)
    .where(and(eq(knowledgeSources.shopifyStoreId, store.id), isNull(knowledgeSources.deletedAt)));
  for (const source of sources) await deleteKnowledgeSource(tx, { id: source.id });
  const [updated] = await tx.db
    .update(shopifyStores)
    .set({
      status: "disconnected",
      statusReason: input.reason,
      disconnectedAt: now,
      accessTokenEncrypted: input.keyring.encrypt(""),
      accessTokenHint: null,
      accessTokenExpiresAt: null,
      refreshTokenEncrypted: null,
      refreshTokenExpiresAt: null,
      clientSecretEncrypted: null,
      ...(input.keepWebhookSecret ? {} : { webhookSecretEncrypted: null }),
      webhookSubscriptions: [],
      webhookError: input.webhookError,
      updatedAt: now,
    })
    .where(eq(shopifyStores.id, store.id))
    .returning();
  return updated ?? store;
}
