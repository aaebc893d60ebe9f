import type { ChannelDto } from "@tandem/contracts";
import { channels, chatbots } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { actorRole, type Ctx, channelsOf, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertCan } from "../policy.ts";
import { loadChannelDto } from "./channel-to-dto.ts";
import { getChannelInWorkspace } from "./get-channel-in-workspace.ts";

/**
 * Names the chatbot that answers a channel (`null`: none, people reply). New conversations of the
 * channel get it; conversations already open keep the chatbot they started with. A LINE channel
 * belongs to the chatbot it was configured for (its webhook URL names that chatbot), so it cannot be
 * moved: configure LINE for the other chatbot instead. The chatbot must be one of the workspace's,
 * not deleted (else 400 `invalid_chatbot` on `chatbotId`). Audited as `channel.assign_chatbot`.
 */
export async function assignChannelChatbot(ctx: Ctx, channelId: string, chatbotId: string | null): Promise<ChannelDto> {
  assertCan(actorRole(ctx.actor), "channels.manage");
  const row = await withTransaction(ctx, async (tx) => {
    const channel = await getChannelInWorkspace(tx, channelId, { forUpdate: true });
    // A channel whose webhook URL names its chatbot (a per-channel webhook: LINE's) cannot change chatbot.
    const adapter = channelsOf(ctx).find(channel.type);
    if (adapter?.inbound?.secretOf) {
      throw new DomainError(
        "channel_not_supported",
        `This ${channel.type} channel answers for the chatbot it was configured for (its webhook URL names it): configure the channel for the other chatbot instead.`,
      );
    }
    if (channel.disconnectedAt) throw new DomainError("channel_disconnected", "This channel is disconnected");
    if (chatbotId !== null) {
      const [bot] = await tx.db
        .select({ id: chatbots.id })
        .from(chatbots)
        .where(and(eq(chatbots.id, chatbotId), eq(chatbots.workspaceId, ctx.workspaceId), isNull(chatbots.deletedAt)))
        .limit(1);
      if (!bot) {
        const message = "No such chatbot in this workspace";
        throw new DomainError("invalid_chatbot", message, {
          details: [{ path: "chatbotId", code: "invalid_chatbot", message }],
        });
      }
    }
    if (channel.chatbotId === chatbotId) return channel;
    const [updated] = await tx.db
      .update(channels)
      .set({ chatbotId, updatedAt: new Date() })
      .where(and(eq(channels.id, channel.id), eq(channels.workspaceId, ctx.workspaceId)))
      .returning();
    await recordAudit(tx, {
      action: "channel.assign_chatbot",
      entityType: "channel",
      entityId: channel.id,
      before: { chatbotId: channel.chatbotId },
      after: { chatbotId },
    });
    return updated!;
  });
  return loadChannelDto(ctx.db, row);
}
