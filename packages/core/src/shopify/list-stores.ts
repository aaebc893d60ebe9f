import type { ShopifyStoreDto, ShopifyStoreListDto } from "@tandem/contracts";
import { shopifyStores } from "@tandem/db";
import { asc, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { getShopifyStoreInWorkspace } from "./get-store-in-workspace.ts";
import { type ShopifyDeps, shopifyWebhookUrl } from "./shopify-deps.ts";
import { loadShopifyStoreDto } from "./store-to-dto.ts";

/** The workspace's stores (disconnected ones too, with why), whether OAuth is available, and the webhook URL. */
export async function listShopifyStores(ctx: Ctx, deps: Pick<ShopifyDeps, "config">): Promise<ShopifyStoreListDto> {
  const rows = await ctx.db
    .select()
    .from(shopifyStores)
    .where(eq(shopifyStores.workspaceId, ctx.workspaceId))
    .orderBy(asc(shopifyStores.createdAt), asc(shopifyStores.id));
  return {
    stores: await Promise.all(rows.map((row) => loadShopifyStoreDto(ctx.db, row, deps.config))),
    oauthAvailable: Boolean(deps.config.shopifyApp),
    webhookUrl: shopifyWebhookUrl(deps.config.appUrl),
  };
}

/** One store of the workspace; another workspace's is "not found". */
export async function getShopifyStore(
  ctx: Ctx,
  input: { id: string },
  deps: Pick<ShopifyDeps, "config">,
): Promise<ShopifyStoreDto> {
  return loadShopifyStoreDto(ctx.db, await getShopifyStoreInWorkspace(ctx, input.id), deps.config);
}
