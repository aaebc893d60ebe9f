import { channels, chatbots } from "@tandem/db";
import { and, asc, eq, isNull } from "drizzle-orm";
import type { Ctx } from "../../context.ts";
import { DomainError } from "../../errors.ts";

export type ChannelRow = typeof channels.$inferSelect;

/** The chatbot if it belongs to the caller's workspace (locked when asked); otherwise "not found". */
export async function getChatbotForLine(ctx: Pick<Ctx, "db" | "workspaceId">, chatbotId: string, forUpdate = false) {
  const query = ctx.db
    .select({ id: chatbots.id, name: chatbots.name })
    .from(chatbots)
    .where(and(eq(chatbots.id, chatbotId), eq(chatbots.workspaceId, ctx.workspaceId), isNull(chatbots.deletedAt)))
    .limit(1);
  const [bot] = forUpdate ? await query.for("update") : await query;
  if (!bot) throw new DomainError("chatbot_not_found", "Chatbot not found");
  return bot;
}

/** The chatbot's connected LINE channel (one per chatbot), or null. */
export async function findLineChannelOfChatbot(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  chatbotId: string,
): Promise<ChannelRow | null> {
  const [row] = await ctx.db
    .select()
    .from(channels)
    .where(
      and(
        eq(channels.workspaceId, ctx.workspaceId),
        eq(channels.chatbotId, chatbotId),
        eq(channels.type, "line"),
        isNull(channels.disconnectedAt),
      ),
    )
    .orderBy(asc(channels.createdAt))
    .limit(1);
  return row ?? null;
}

/** The chatbot's LINE channel; 409 `line_not_connected` when it has none. */
export async function getLineChannelOfChatbot(ctx: Pick<Ctx, "db" | "workspaceId">, chatbotId: string) {
  await getChatbotForLine(ctx, chatbotId);
  const channel = await findLineChannelOfChatbot(ctx, chatbotId);
  if (!channel) {
    throw new DomainError(
      "line_not_connected",
      "This chatbot has no LINE channel yet: paste its credentials on Settings → Channels first",
    );
  }
  return channel;
}

/** LINE's Channel ID as entered, kept in the row's config. */
export const lineChannelIdOf = (channel: ChannelRow): string | null =>
  typeof channel.config.channelId === "string" ? channel.config.channelId : null;
