import { shopifyStores } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import type { ShopifyStoreRow } from "./shopify-client.ts";

/** The store if it belongs to the caller's workspace (locked when asked); another workspace's is "not found". */
export async function getShopifyStoreInWorkspace(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<ShopifyStoreRow> {
  const query = ctx.db
    .select()
    .from(shopifyStores)
    .where(and(eq(shopifyStores.id, id), eq(shopifyStores.workspaceId, ctx.workspaceId)))
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update") : await query;
  if (!row) throw new DomainError("shopify_store_not_found", "Shopify store not found");
  return row;
}
