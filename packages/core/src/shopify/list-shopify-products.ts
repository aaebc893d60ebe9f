import type { ProductDto } from "@tandem/contracts";
import { products } from "@tandem/db";
import { and, asc, eq, gt, ilike, isNull, or, sql } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { getShopifyStoreInWorkspace } from "./get-store-in-workspace.ts";
import { productDto } from "./product-dto.ts";

/**
 * A store's synced products by title (`GET …/shopify/{id}/products?q=&cursor=`): `q` matches the
 * title, vendor, type, handle, a tag or a SKU; `nextCursor` goes back as `cursor` for the next page.
 */
export async function listShopifyProducts(
  ctx: Ctx,
  input: { id: string; q?: string | undefined; cursor?: string | undefined; limit: number },
): Promise<{ data: ProductDto[]; nextCursor: string | null }> {
  const store = await getShopifyStoreInWorkspace(ctx, input.id);
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const q = input.q?.trim();
  const like = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const rows = await ctx.db
    .select()
    .from(products)
    .where(
      and(
        eq(products.storeId, store.id),
        eq(products.workspaceId, ctx.workspaceId),
        isNull(products.deletedAt),
        like
          ? or(
              ilike(products.title, like),
              ilike(products.vendor, like),
              ilike(products.productType, like),
              ilike(products.handle, like),
              sql`exists (select 1 from unnest(${products.tags}) t where t ilike ${like})`,
              sql`exists (select 1 from jsonb_array_elements(${products.variants}) v where v->>'sku' ilike ${like})`,
            )
          : undefined,
        after
          ? or(gt(products.title, after.title), and(eq(products.title, after.title), gt(products.id, after.id)))
          : undefined,
      ),
    )
    .orderBy(asc(products.title), asc(products.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    data: page.map(productDto),
    nextCursor: rows.length > input.limit && last ? encodeCursor({ title: last.title, id: last.id }) : null,
  };
}

function encodeCursor(at: { title: string; id: string }): string {
  return Buffer.from(JSON.stringify([at.title, at.id])).toString("base64url");
}

function decodeCursor(cursor: string): { title: string; id: string } {
  try {
    const [title, id] = JSON.parse(Buffer.from(cursor, "base64url").toString()) as unknown[];
    if (typeof title === "string" && typeof id === "string") return { title, id };
  } catch {}
  throw new DomainError("invalid_cursor", "The cursor is not one this list gave", {
    details: [{ path: "cursor", message: "not a cursor of this list" }],
  });
}
