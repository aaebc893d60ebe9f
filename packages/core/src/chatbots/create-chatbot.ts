import type { ChatbotDto, CreateChatbotInput } from "@tandem/contracts";
import { chatbots } from "@tandem/db";
import { recordAudit } from "../audit/record-audit.ts";
import { createInitialPromptVersion } from "../bots/initial-prompt-version.ts";
import { assertValidPromptTemplate } from "../bots/prompt.ts";
import { actorUserId, type Ctx, withTransaction } from "../context.ts";
import { scheduleEmbeddings } from "../knowledge/embeddings/embed-knowledge.ts";
import { assertActorCan } from "../members/guard.ts";
import { findDefaultChatbot } from "../providers/default-chatbot.ts";
import { chatbotValues } from "./chatbot-settings.ts";
import { chatbotAuditView, chatbotDto } from "./to-dto.ts";

/**
 * A new chatbot (OWNER, ADMIN), `testing` unless a status is given — it answers customers once it is
 * `active` and a channel names it. Its prompt starts at version 1: the `systemPrompt` given, else the
 * built-in template. A workspace without a default chatbot gets this one as its default. Audited
 * (`chatbot.create`).
 */
export async function createChatbot(ctx: Ctx, input: CreateChatbotInput): Promise<ChatbotDto> {
  assertActorCan(ctx, "chatbots.manage");
  const systemPrompt = input.systemPrompt ?? "";
  assertValidPromptTemplate(systemPrompt, "systemPrompt");
  const { id, embeddingChanged } = await withTransaction(ctx, async (tx) => {
    const { embeddingChanged, ...values } = await chatbotValues(tx, input);
    const hasDefault = Boolean(await findDefaultChatbot(tx.db, tx.workspaceId));
    const [row] = await tx.db
      .insert(chatbots)
      .values({
        ...values,
        workspaceId: tx.workspaceId,
        name: input.name,
        systemPrompt,
        isDefault: !hasDefault,
        createdById: actorUserId(tx.actor),
      })
      .returning();
    const versionId = await createInitialPromptVersion(tx.db, row!, actorUserId(tx.actor));
    await recordAudit(tx, {
      action: "chatbot.create",
      entityType: "chatbot",
      entityId: row!.id,
      before: null,
      after: { ...chatbotAuditView(row!), systemPrompt, currentPromptVersionId: versionId },
    });
    return { id: row!.id, embeddingChanged };
  });
  if (embeddingChanged) await scheduleEmbeddings(ctx, { workspaceId: ctx.workspaceId, chatbotId: id });
  return chatbotDto(ctx.db, ctx.workspaceId, id);
}
