import type { ShopifyAuthMethod, ShopifyStoreDto } from "@tandem/contracts";
import { knowledgeSources, shopifyStores } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { queueOf } from "../jobs/job-scope.ts";
import { publishAfter } from "../knowledge/publish-knowledge-update.ts";
import { maskSecret } from "../secrets/keyring.ts";
import type { ShopInfo } from "./check-connection.ts";
import { shopifySyncJob } from "./jobs.ts";
import { type ShopifyStoreRow, shopifyAdminApi } from "./shopify-client.ts";
import { type ShopifyDeps, shopifyWebhookUrl, shopifyWebhookUrlProblem } from "./shopify-deps.ts";
import { loadShopifyStoreDto, publishShopifyUpdate, storeHasWebhookSecret } from "./store-to-dto.ts";
import { registerShopifyWebhooks } from "./webhook-subscriptions.ts";

/** A connection whose token passed the check (check-connection.ts), ready to store. */
export interface VerifiedShopifyConnection {
  shopDomain: string;
  authMethod: ShopifyAuthMethod;
  accessToken: string;
  accessTokenExpiresAt: Date | null;
  /** An OAuth install's expiring offline token: its refresh token and when that expires. */
  refreshToken?: string | null | undefined;
  refreshTokenExpiresAt?: Date | null | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  /** The secret webhooks are signed with, when the store has its own (an OAuth store uses the app's). */
  webhookSecret?: string | undefined;
  shop: ShopInfo;
}

/**
 * The end of every connect: stores the store (a reconnect of the same shop domain in the workspace
 * updates its credentials and clears a disconnection) and its `shopify` knowledge source in one
 * audited transaction; then, outside it, registers the webhooks when a secret can verify them and
 * the address is one Shopify delivers to (the outcome is kept readable on the store, which works
 * without them through the nightly reconcile), and queues the full sync.
 */
export async function saveShopifyConnection(
  ctx: Ctx,
  connection: VerifiedShopifyConnection,
  deps: ShopifyDeps,
): Promise<ShopifyStoreDto> {
  const { keyring } = deps;
  const { store, sourceId, reconnected } = await withTransaction(ctx, async (tx) => {
    const [existing] = await tx.db
      .select()
      .from(shopifyStores)
      .where(and(eq(shopifyStores.workspaceId, tx.workspaceId), eq(shopifyStores.shopDomain, connection.shopDomain)))
      .for("update");
    const values = {
      authMethod: connection.authMethod,
      accessTokenEncrypted: keyring.encrypt(connection.accessToken),
      accessTokenHint: maskSecret(connection.accessToken),
      accessTokenExpiresAt: connection.accessTokenExpiresAt,
      refreshTokenEncrypted: connection.refreshToken ? keyring.encrypt(connection.refreshToken) : null,
      refreshTokenExpiresAt: connection.refreshToken ? (connection.refreshTokenExpiresAt ?? null) : null,
      clientId: connection.clientId ?? null,
      clientSecretEncrypted: connection.clientSecret ? keyring.encrypt(connection.clientSecret) : null,
      webhookSecretEncrypted: connection.webhookSecret ? keyring.encrypt(connection.webhookSecret) : null,
      scopes: connection.shop.scopes,
      name: connection.shop.name,
      currency: connection.shop.currencyCode,
      primaryDomainUrl: connection.shop.primaryDomainUrl,
      status: "active" as const,
      statusReason: null,
      disconnectedAt: null,
      webhookError: null,
      updatedAt: new Date(),
    };
    const [saved] = await tx.db
      .insert(shopifyStores)
      .values({ ...values, workspaceId: tx.workspaceId, shopDomain: connection.shopDomain })
      .onConflictDoUpdate({ target: [shopifyStores.workspaceId, shopifyStores.shopDomain], set: values })
      .returning();
    if (!saved) throw new Error("the store upsert returned no row");

    const [source] = await tx.db
      .select({ id: knowledgeSources.id })
      .from(knowledgeSources)
      .where(and(eq(knowledgeSources.shopifyStoreId, saved.id), isNull(knowledgeSources.deletedAt)))
      .limit(1);
    let sourceId = source?.id ?? null;
    if (!sourceId) {
      const [created] = await tx.db
        .insert(knowledgeSources)
        .values({
          workspaceId: tx.workspaceId,
          shopifyStoreId: saved.id,
          type: "shopify",
          name: `Shopify: ${connection.shop.name}`,
          metadata: { shopDomain: connection.shopDomain },
          status: "pending",
        })
        .returning({ id: knowledgeSources.id });
      sourceId = created!.id;
    }
    const reconnected = Boolean(existing);
    await recordAudit(tx, {
      action: reconnected ? "shopify_store.reconnect" : "shopify_store.connect",
      entityType: "shopify_store",
      entityId: saved.id,
      before: existing ? auditView(existing) : null,
      after: { ...auditView(saved), knowledgeSourceId: sourceId },
    });
    return { store: saved, sourceId, reconnected };
  });
  await publishAfter(ctx, { workspaceId: store.workspaceId, sourceId });

  const webhooks = await subscribeWebhooks(ctx, store, deps);
  const [updated] = await ctx.db
    .update(shopifyStores)
    .set({ webhookSubscriptions: webhooks.subscriptions, webhookError: webhooks.error })
    .where(eq(shopifyStores.id, store.id))
    .returning();
  const current = updated ?? store;

  await queueOf(ctx).enqueue(shopifySyncJob, { storeId: store.id, kind: "full" }, { workspaceId: store.workspaceId });
  ctx.log.info(
    {
      storeId: store.id,
      shopDomain: store.shopDomain,
      method: store.authMethod,
      reconnected,
      webhookError: webhooks.error,
    },
    "shopify store connected",
  );
  await publishShopifyUpdate({ ...ctx, config: deps.config }, { workspaceId: store.workspaceId, storeId: store.id });
  return loadShopifyStoreDto(ctx.db, current, deps.config);
}

async function subscribeWebhooks(
  ctx: Ctx,
  store: ShopifyStoreRow,
  deps: ShopifyDeps,
): Promise<{ subscriptions: ShopifyStoreRow["webhookSubscriptions"]; error: string | null }> {
  // No secret to verify them with: Shopify would deliver webhooks we must refuse.
  if (!storeHasWebhookSecret(store, deps.config)) return { subscriptions: [], error: null };
  const problem = shopifyWebhookUrlProblem(deps.config);
  if (problem) return { subscriptions: [], error: problem };
  const api = shopifyAdminApi({ ...deps, db: ctx.db, log: ctx.log }, store);
  return registerShopifyWebhooks(api, shopifyWebhookUrl(deps.config.appUrl));
}

/** What the audit trail keeps of a store: never a token or secret. */
export const auditView = (s: ShopifyStoreRow) => ({
  shopDomain: s.shopDomain,
  name: s.name,
  authMethod: s.authMethod,
  credentialHint: s.authMethod === "client_credentials" ? s.clientId : s.accessTokenHint,
  scopes: s.scopes,
  webhookSecret: Boolean(s.webhookSecretEncrypted),
  status: s.status,
});
