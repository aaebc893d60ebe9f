import type { ProviderSettingsDto } from "@tandem/contracts";
import { providerCredentials } from "@tandem/db";
import { asc, eq } from "drizzle-orm";
import { actorRole, type Ctx } from "../context.ts";
import { assertCan } from "../policy.ts";
import { findDefaultChatbot } from "./default-chatbot.ts";
import type { ProviderDeps } from "./provider-deps.ts";
import { providerSettingsToDto } from "./to-dto.ts";

/**
 * The provider settings of the workspace's default chatbot and every stored credential, masked. A
 * workspace without a default chatbot reads the defaults (offline provider); nothing is created
 * until the first save.
 */
export async function getProviderSettings(ctx: Ctx, deps: Pick<ProviderDeps, "config">): Promise<ProviderSettingsDto> {
  assertCan(actorRole(ctx.actor), "providers.manage");
  const [chatbot, rows] = await Promise.all([
    findDefaultChatbot(ctx.db, ctx.workspaceId),
    // Oldest first: of several credentials of a kind, the settings show the one chatbots naming none use.
    ctx.db
      .select()
      .from(providerCredentials)
      .where(eq(providerCredentials.workspaceId, ctx.workspaceId))
      .orderBy(asc(providerCredentials.createdAt), asc(providerCredentials.id)),
  ]);
  return providerSettingsToDto(chatbot, rows, deps.config);
}
