import { channels, chatbots } from "@tandem/db";
import { and, eq, isNull, ne, or } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { getChatbotInWorkspace } from "./get-chatbot-in-workspace.ts";
import { chatbotAuditView } from "./to-dto.ts";

/**
 * Soft delete (OWNER, ADMIN): the chatbot disappears from lists and lookups, its API key stops
 * working at once, and its history stays — conversations, messages and prompt versions keep naming
 * it. Refused with 409 while it still serves a channel (`chatbot_in_use`, the channels in `details`:
 * point them at another chatbot first; its own widget and API channels, `public-chat/public-channel.ts`,
 * do not count and are disconnected with it) and while it is the default chatbot (`chatbot_is_default`:
 * make another one the default first, `PATCH /chatbots/{id} {isDefault: true}`). Audited.
 */
export async function deleteChatbot(ctx: Ctx, chatbotId: string): Promise<void> {
  assertActorCan(ctx, "chatbots.manage");
  await withTransaction(ctx, async (tx) => {
    const chatbot = await getChatbotInWorkspace(tx, chatbotId, { forUpdate: true });
    const serving = await tx.db
      .select({ id: channels.id, name: channels.name, type: channels.type })
      .from(channels)
      .where(
        and(
          eq(channels.workspaceId, tx.workspaceId),
          eq(channels.chatbotId, chatbot.id),
          isNull(channels.disconnectedAt),
          // Its own widget and API channels (`externalId` = its id) go with it.
          or(isNull(channels.externalId), ne(channels.externalId, chatbot.id)),
        ),
      )
      .orderBy(channels.name);
    if (serving.length > 0) {
      const names = serving.map((c) => `${c.name} (${c.type})`).join(", ");
      throw new DomainError(
        "chatbot_in_use",
        `"${chatbot.name}" still answers on ${names}: point ${serving.length === 1 ? "that channel" : "those channels"} at another chatbot first.`,
        { details: { channels: serving } },
      );
    }
    if (chatbot.isDefault) {
      throw new DomainError(
        "chatbot_is_default",
        `"${chatbot.name}" is the workspace's default chatbot: make another chatbot the default first.`,
      );
    }
    const now = new Date();
    await tx.db
      .update(channels)
      .set({ disconnectedAt: now, status: "disconnected" })
      .where(
        and(
          eq(channels.workspaceId, tx.workspaceId),
          eq(channels.externalId, chatbot.id),
          isNull(channels.disconnectedAt),
        ),
      );
    await tx.db
      .update(chatbots)
      .set({ deletedAt: now })
      .where(and(eq(chatbots.id, chatbot.id), eq(chatbots.workspaceId, tx.workspaceId)));
    await recordAudit(tx, {
      action: "chatbot.delete",
      entityType: "chatbot",
      entityId: chatbot.id,
      before: chatbotAuditView(chatbot),
      after: { deleted: true },
    });
  });
}
