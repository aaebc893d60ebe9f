import { type conversations, type Db, messages } from "@tandem/db";
import { eq, sql } from "drizzle-orm";
import { flagStoredMessage } from "../moderation/flag-stored-message.ts";
import { chatbotFor } from "./chatbot-for.ts";
import { findProfanity, resolveGuardrails, wantsHuman } from "./guardrails.ts";
import { handOffConversation } from "./handoff.ts";

type ConversationRow = typeof conversations.$inferSelect;
type MessageRow = typeof messages.$inferSelect;

export interface InboundCheck {
  /** The conversation after the checks (auto-bot off when handed off). */
  conversation: ConversationRow;
  /** The message, flagged when it had profanity. */
  message: MessageRow;
  /**
   * Rows a handoff wrote: its SYSTEM note and, when the customer is told, a `queued` BOT message. After
   * the commit the caller enqueues that message's send and publishes them all.
   */
  notes: MessageRow[];
}

/**
 * The guardrails of pipeline step 2, run on each new customer message inside the transaction that
 * stored it — before, and whether or not, a bot reply is enqueued:
 * - profanity: the message is flagged (`message.flagged`, its metadata, and an automated
 *   `moderation_flag` for the review queue); the bot still answers. A prompt-injection attempt gets
 *   a flag too (`flagStoredMessage`);
 * - a request for a person: handed off at once (auto-bot off, flagged, SYSTEM note), so it happens
 *   even when auto-bot is off or the bot is slow. When a person already has the conversation (auto-bot
 *   off and flagged, or an agent replied), nothing more is done.
 */
export async function checkInboundMessage(
  tx: Db,
  conversation: ConversationRow,
  message: MessageRow,
  /** A batch of messages looks each chatbot up once. */
  options: { chatbotFor?: (conversation: ConversationRow) => ReturnType<typeof chatbotFor> } = {},
): Promise<InboundCheck> {
  const result: InboundCheck = { conversation, message, notes: [] };
  if (message.role !== "USER" || !message.text) return result;
  const chatbot = await (options.chatbotFor ?? ((of: ConversationRow) => chatbotFor(tx, of)))(conversation);
  const guardrails = resolveGuardrails(chatbot?.guardrails);

  const profanity = findProfanity(message.text, guardrails);
  if (profanity) {
    const [flagged] = await tx
      .update(messages)
      .set({
        flagged: true,
        metadata: sql`${messages.metadata} || ${JSON.stringify({ profanity })}::jsonb`,
      })
      .where(eq(messages.id, message.id))
      .returning();
    result.message = flagged ?? message;
  }
  // The review queue's automated flags: profanity and prompt injection (docs/moderation.md).
  await flagStoredMessage(tx, message, { guardrails });

  const withPerson = !conversation.autoBot && (conversation.needsHuman || conversation.humanRepliedAt !== null);
  if (!withPerson && wantsHuman(message.text, guardrails.humanRequestPhrases)) {
    const rows = await handOffConversation(tx, conversation, {
      reason: "human_requested",
      chatbot,
      meta: { trigger: message.id, stage: "inbound" },
    });
    result.notes.push(...rows);
    result.conversation = { ...conversation, autoBot: false, needsHuman: true, handoffReason: "human_requested" };
  }
  return result;
}
