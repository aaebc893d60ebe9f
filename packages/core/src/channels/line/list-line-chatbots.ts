import type { LineChatbotsResponse } from "@tandem/contracts";
import { channels, chatbots } from "@tandem/db";
import { and, asc, desc, eq, isNull } from "drizzle-orm";
import { actorRole, type Ctx } from "../../context.ts";
import { assertCan } from "../../policy.ts";
import { loadChannelDtos } from "../channel-to-dto.ts";

/** The workspace's chatbots, the default first, each with its LINE channel: the LINE card's picker. */
export async function listLineChatbots(ctx: Ctx): Promise<LineChatbotsResponse> {
  assertCan(actorRole(ctx.actor), "channels.manage");
  const bots = await ctx.db
    .select({ id: chatbots.id, name: chatbots.name, isDefault: chatbots.isDefault })
    .from(chatbots)
    .where(and(eq(chatbots.workspaceId, ctx.workspaceId), isNull(chatbots.deletedAt)))
    .orderBy(desc(chatbots.isDefault), asc(chatbots.createdAt), asc(chatbots.id));
  const rows = await ctx.db
    .select()
    .from(channels)
    .where(and(eq(channels.workspaceId, ctx.workspaceId), eq(channels.type, "line"), isNull(channels.disconnectedAt)));
  const dtos = await loadChannelDtos(ctx.db, rows);
  return {
    data: bots.map((bot) => ({
      chatbotId: bot.id,
      name: bot.name,
      isDefault: bot.isDefault,
      channel: dtos.find((dto) => dto.chatbotId === bot.id) ?? null,
    })),
  };
}
