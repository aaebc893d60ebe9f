import type { ChatbotTranslationDto, PutChatbotTranslationInput } from "@tandem/contracts";
import { chatbotTranslations } from "@tandem/db";
import { and, eq, sql } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { assertValidPromptTemplate } from "../bots/prompt.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { getChatbotInWorkspace } from "./get-chatbot-in-workspace.ts";
import { translationToDto } from "./to-dto.ts";

/**
 * The overrides of one language (OWNER, ADMIN): a welcome message, a system prompt and/or a handoff
 * message (`translations.handoffMessage`, `bots/handoff-message.ts`) used for customers whose locale
 * is that language (`bots/translation-for.ts`). Created or replaced; audited.
 */
export async function putChatbotTranslation(
  ctx: Ctx,
  chatbotId: string,
  languageCode: string,
  input: PutChatbotTranslationInput,
): Promise<ChatbotTranslationDto> {
  assertActorCan(ctx, "chatbots.manage");
  if (input.systemPrompt) assertValidPromptTemplate(input.systemPrompt, "systemPrompt");
  return withTransaction(ctx, async (tx) => {
    const chatbot = await getChatbotInWorkspace(tx, chatbotId, { forUpdate: true });
    const values = {
      welcomeMessage: input.welcomeMessage || null,
      systemPrompt: input.systemPrompt || null,
      translations: (typeof input.handoffMessage === "string"
        ? { handoffMessage: input.handoffMessage }
        : {}) as Record<string, string>,
    };
    const [before] = await tx.db
      .select()
      .from(chatbotTranslations)
      .where(and(eq(chatbotTranslations.chatbotId, chatbot.id), eq(chatbotTranslations.languageCode, languageCode)));
    const [row] = await tx.db
      .insert(chatbotTranslations)
      .values({ chatbotId: chatbot.id, languageCode, ...values })
      .onConflictDoUpdate({
        target: [chatbotTranslations.chatbotId, chatbotTranslations.languageCode],
        set: { ...values, updatedAt: sql`now()` },
      })
      .returning();
    await recordAudit(tx, {
      action: "chatbot.translation.put",
      entityType: "chatbot",
      entityId: chatbot.id,
      before: before
        ? {
            languageCode,
            welcomeMessage: before.welcomeMessage,
            systemPrompt: before.systemPrompt,
            translations: before.translations,
          }
        : null,
      after: { languageCode, ...values },
    });
    return translationToDto(row!);
  });
}

/** Removes one language's overrides: its customers get the chatbot's own prompt and welcome again. */
export async function deleteChatbotTranslation(ctx: Ctx, chatbotId: string, languageCode: string): Promise<void> {
  assertActorCan(ctx, "chatbots.manage");
  await withTransaction(ctx, async (tx) => {
    const chatbot = await getChatbotInWorkspace(tx, chatbotId, { forUpdate: true });
    const [removed] = await tx.db
      .delete(chatbotTranslations)
      .where(and(eq(chatbotTranslations.chatbotId, chatbot.id), eq(chatbotTranslations.languageCode, languageCode)))
      .returning();
    if (!removed) {
      throw new DomainError("translation_not_found", `"${chatbot.name}" has no ${languageCode} translation`);
    }
    await recordAudit(tx, {
      action: "chatbot.translation.delete",
      entityType: "chatbot",
      entityId: chatbot.id,
      before: { languageCode, welcomeMessage: removed.welcomeMessage, systemPrompt: removed.systemPrompt },
      after: null,
    });
  });
}
