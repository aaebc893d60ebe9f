import type { DraftResponse } from "@tandem/contracts";
import { showTyping } from "../channels/typing-indicator.ts";
import { recordRetrievalFailure } from "../chatbot-health/record-retrieval-failure.ts";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { LlmError } from "../llm/types.ts";
import { assertActorCan } from "../members/guard.ts";
import type { ProviderDeps } from "../providers/provider-deps.ts";
import { type ComposedReply, composeReply } from "./compose-reply.ts";
import { conversationForReply } from "./conversation-for-reply.ts";
import type { HandoffReason } from "./guardrails.ts";
import { recordBotDraft } from "./record-bot-reply.ts";

type Found = NonNullable<Awaited<ReturnType<typeof conversationForReply>>>;

/**
 * An agent's "draft with AI": the reply the bot would give now, returned for editing. Nothing is sent
 * or changed (auto-bot, counters and handoff flags stay as they are); the draft is kept as a BOT
 * message with status `draft` — outside the thread — so what the model wrote stays on record, and
 * the agent's reply can name it (`draftId`). Every role of the workspace may ask
 * (`conversations.work`); the call runs in the request with the chatbot's provider.
 */
export async function draftBotReply(ctx: Ctx, conversationId: string, deps: ProviderDeps): Promise<DraftResponse> {
  const { found, composed, text } = await composeForAgent(ctx, conversationId, deps);
  const memberId = ctx.actor.type === "system" ? null : ctx.actor.memberId;
  const draft = await recordBotDraft(ctx.db, found.conversation, {
    text,
    composed,
    meta: { mode: "draft", ...(memberId ? { requestedByMemberId: memberId } : {}) },
  });
  return {
    draftId: draft.id,
    text,
    provider: composed.result.provider,
    model: composed.result.model,
    usage: composed.result.usage,
    latencyMs: composed.result.latencyMs,
    finishReason: composed.result.finishReason,
    promptVersionId: composed.promptVersionId,
    sources: composed.sources.map((s) => ({ id: s.chunkId, title: s.title ?? null, score: s.score })),
  };
}

/**
 * The bot's reply for an agent's request ("reply as bot", "draft with AI"): the same composition as
 * an automatic reply, but failures go back to the agent as API errors instead of a handoff — a person
 * is already there:
 * - no chatbot → `no_chatbot` (409); provider not configured → `provider_not_configured` (409);
 * - provider failures → their code (`provider_rate_limited`, `provider_auth_failed`, … → 502);
 * - an answer the guardrails would not send (low confidence, the handoff marker, refusal, profanity),
 *   or one the provider's content filter withheld → `bot_cannot_answer` (422) with the reason.
 * A vector search that failed behind the answer (it used full text only) is recorded for the
 * chatbot's health, as for a live reply.
 * `check` runs on the conversation first (reply as bot checks the messaging window); with `typing`
 * the customer sees the typing indicator while the reply is composed.
 */
export async function composeForAgent(
  ctx: Ctx,
  conversationId: string,
  deps: ProviderDeps,
  options: { check?: (found: Found) => void; typing?: boolean } = {},
): Promise<{ found: Found; composed: ComposedReply; text: string }> {
  assertActorCan(ctx, "conversations.work");
  const found = await conversationForReply(ctx.db, conversationId, ctx.workspaceId);
  if (!found) throw new DomainError("conversation_not_found", "Conversation not found");
  options.check?.(found);
  const { chatbot } = found;
  if (!chatbot) {
    throw new DomainError("no_chatbot", "No chatbot is set up for this conversation or workspace");
  }
  if (options.typing)
    showTyping({ channels: ctx.channels, db: ctx.db, log: ctx.log }, found.channel, found.recipientId);
  let composed: ComposedReply;
  try {
    composed = await composeReply(
      { ...deps, db: ctx.db },
      { conversation: found.conversation, chatbot, credential: found.credential, locale: found.contactLocale },
    );
  } catch (error) {
    // A filtered answer is the provider's verdict on this conversation, not an outage: like the
    // guardrails' own refusals, the bot has nothing to send (422), and retrying will not change it.
    if (error instanceof LlmError && error.code === "content_filtered") {
      throw new DomainError("bot_cannot_answer", `The bot has no answer to send: ${WHY.content_filtered}.`, {
        details: { reason: "content_filtered", provider: error.provider },
        cause: error,
      });
    }
    throw error instanceof LlmError ? llmErrorToDomain(error) : error;
  }
  // Like a live reply's: the agent gets the full-text answer, the health shows the vector search failing.
  await recordRetrievalFailure(
    ctx.db,
    composed.retrievalFailure,
    {
      workspaceId: ctx.workspaceId,
      chatbotId: chatbot.id,
      channelId: found.conversation.channelId,
      conversationId: found.conversation.id,
      messageId: composed.question?.id ?? null,
    },
    ctx.log,
  );
  const { verdict } = composed;
  if (verdict.action === "handoff") {
    throw new DomainError(
      "bot_cannot_answer",
      `The bot has no answer to send: ${WHY[verdict.reason] ?? verdict.reason}.`,
      {
        details: {
          reason: verdict.reason,
          ...(composed.result.confidence !== undefined ? { confidence: composed.result.confidence } : {}),
        },
      },
    );
  }
  return { found, composed, text: verdict.text };
}

const WHY: Partial<Record<HandoffReason, string>> = {
  low_confidence: "nothing in its knowledge answers the customer's last message confidently",
  model_handoff: "the model says it cannot help and a person should take over",
  refusal: "the model's answer was a refusal or unsure",
  profanity_output: "the model's answer contained a blocked word",
  empty_output: "the model returned an empty answer",
  content_filtered: "the AI provider filtered the answer",
};

/** A provider failure as the HTTP API reports it: the normalised code (502), the wait for rate limits. */
export function llmErrorToDomain(error: LlmError): DomainError {
  const retryAfterSeconds = error.retryAfterMs !== undefined ? Math.ceil(error.retryAfterMs / 1000) : undefined;
  return new DomainError(error.code, `The AI provider (${error.provider}) failed: ${error.message}`, {
    details: { provider: error.provider, status: error.status, retryable: error.retryable },
    ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    cause: error,
  });
}
