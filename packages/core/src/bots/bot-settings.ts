import type { BotSettingsDto, UpdateBotSettingsInput } from "@tandem/contracts";
import { chatbots } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { actorRole, type Ctx, withTransaction } from "../context.ts";
import { assertCan } from "../policy.ts";
import { type ChatbotRow, findDefaultChatbot, lockOrCreateDefaultChatbot } from "../providers/default-chatbot.ts";
import { DEFAULT_PROFANITY, resolveGuardrails } from "./guardrails.ts";
import { defaultHandoffMessage } from "./handoff-message.ts";
import { resolveMemorySettings } from "./memory.ts";

/**
 * The default chatbot's behaviour settings (`/api/v1/settings/bot`), OWNER and ADMIN: the prompt's
 * brand variables, the guardrails and the memory. Reads give the effective values — what the next
 * reply uses, defaults filled in — except the profanity lists, which show only the languages
 * overridden (the built-in lists are long). Like the provider settings, a save applies to the next
 * reply, creates the default chatbot when there is none, and is audited (`chatbot.update`).
 */
export async function getBotSettings(ctx: Ctx): Promise<BotSettingsDto> {
  assertCan(actorRole(ctx.actor), "providers.manage");
  return toDto(await findDefaultChatbot(ctx.db, ctx.workspaceId));
}

export async function updateBotSettings(ctx: Ctx, input: UpdateBotSettingsInput): Promise<BotSettingsDto> {
  assertCan(actorRole(ctx.actor), "providers.manage");
  return withTransaction(ctx, async (tx) => {
    const { chatbot: before } = await lockOrCreateDefaultChatbot(tx);
    const values = {
      promptVariables: input.promptVariables,
      // null (the built-in message) is not stored: absent means the same.
      guardrails: withoutNull(input.guardrails),
      memorySettings: input.memory,
    };
    const [after] = await tx.db
      .update(chatbots)
      .set(values)
      .where(and(eq(chatbots.id, before.id), eq(chatbots.workspaceId, tx.workspaceId)))
      .returning();
    await recordAudit(tx, {
      action: "chatbot.update",
      entityType: "chatbot",
      entityId: before.id,
      before: {
        promptVariables: before.promptVariables,
        guardrails: before.guardrails,
        memorySettings: before.memorySettings,
      },
      after: values,
    });
    return toDto(after);
  });
}

function withoutNull({ handoffMessage, ...rest }: UpdateBotSettingsInput["guardrails"]) {
  return typeof handoffMessage === "string" ? { ...rest, handoffMessage } : rest;
}

function toDto(chatbot: ChatbotRow | undefined): BotSettingsDto {
  const v = chatbot?.promptVariables ?? {};
  const g = resolveGuardrails(chatbot?.guardrails);
  const memory = resolveMemorySettings(chatbot?.memorySettings);
  return {
    chatbotId: chatbot?.id ?? null,
    promptVariables: {
      brandName: v.brandName ?? "",
      tone: v.tone ?? "",
      doList: v.doList ?? [],
      dontList: v.dontList ?? [],
      policySnippets: v.policySnippets ?? [],
    },
    guardrails: {
      profanityFilter: g.profanityFilter,
      profanityWords: chatbot?.guardrails.profanityWords ?? {},
      maxConsecutiveBotReplies: g.maxConsecutiveBotReplies,
      confidenceThreshold: g.confidenceThreshold,
      handoffOnRefusal: g.handoffOnRefusal,
      refusalPhrases: chatbot?.guardrails.refusalPhrases ?? [],
      humanRequestPhrases: g.humanRequestPhrases,
      handoffMessage: typeof chatbot?.guardrails.handoffMessage === "string" ? chatbot.guardrails.handoffMessage : null,
    },
    memory: {
      lastNMessages: memory.lastNMessages,
      summarizeAfter: memory.summarizeAfter,
      maxPromptTokens: memory.maxPromptTokens,
    },
    builtInProfanityLanguages: Object.keys(DEFAULT_PROFANITY),
    defaultHandoffMessage: defaultHandoffMessage(chatbot?.language),
  };
}
