import type { NamedCredentialListResponse } from "@tandem/contracts";
import { providerCredentials } from "@tandem/db";
import { asc, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import { namedCredentialDtos } from "./named-credentials.ts";

/** The workspace's named provider credentials (OWNER, ADMIN), oldest first, keys as hints only. */
export async function listCredentials(ctx: Ctx): Promise<NamedCredentialListResponse> {
  assertActorCan(ctx, "providers.manage");
  const rows = await ctx.db
    .select()
    .from(providerCredentials)
    .where(eq(providerCredentials.workspaceId, ctx.workspaceId))
    .orderBy(asc(providerCredentials.createdAt), asc(providerCredentials.id));
  return { data: await namedCredentialDtos(ctx.db, ctx.workspaceId, rows) };
}
