import type { CreatePlaygroundSessionInput, PlaygroundSessionDto } from "@tandem/contracts";
import { conversations, type Db, playgroundSessions } from "@tandem/db";
import { recordAudit } from "../../audit/record-audit.ts";
import { actorUserId, type Ctx, withTransaction } from "../../context.ts";
import { assertActorCan } from "../../members/guard.ts";
import { getChatbotInWorkspace } from "../get-chatbot-in-workspace.ts";
import { resolvePlaygroundConfig } from "./resolve-playground-config.ts";
import { playgroundSessionToDto } from "./to-dto.ts";

/**
 * A playground session: its own conversation, marked `is_playground` (no channel, no contact), which
 * the inbox, its search and counts, the live events and analytics leave out; its overrides are
 * checked now (credential, prompt version, template) and apply to every message of the session.
 */
export async function createPlaygroundSession(
  ctx: Ctx,
  chatbotId: string,
  input: CreatePlaygroundSessionInput,
): Promise<PlaygroundSessionDto> {
  assertActorCan(ctx, "chatbots.manage");
  const overrides = input.overrideConfig ?? {};
  return withTransaction(ctx, async (tx) => {
    const chatbot = await getChatbotInWorkspace(tx, chatbotId);
    await resolvePlaygroundConfig(tx, chatbot, overrides, "overrideConfig");
    const db: Db = tx.db;
    const [conversation] = await db
      .insert(conversations)
      .values({
        workspaceId: ctx.workspaceId,
        chatbotId: chatbot.id,
        isPlayground: true,
        channelId: null,
        contactId: null,
      })
      .returning({ id: conversations.id });
    const [session] = await db
      .insert(playgroundSessions)
      .values({
        workspaceId: ctx.workspaceId,
        chatbotId: chatbot.id,
        userId: actorUserId(ctx.actor),
        overrides,
        conversationId: conversation!.id,
      })
      .returning();
    await recordAudit(tx, {
      action: "playground_session.create",
      entityType: "playground_session",
      entityId: session!.id,
      after: { chatbotId: chatbot.id, overrides },
    });
    return playgroundSessionToDto(session!);
  });
}
