import type { ChatbotErrorKind, ProviderKind } from "@tandem/contracts";
import { chatbotErrors, type Db } from "@tandem/db";
import type { Logger } from "../logger.ts";

export interface ChatbotErrorInput {
  workspaceId: string;
  chatbotId: string | null;
  kind: ChatbotErrorKind;
  code: string;
  /** The reason as the inbox or the settings show it: never a secret, a prompt or a stack. */
  message?: string | null | undefined;
  provider?: ProviderKind | null | undefined;
  model?: string | null | undefined;
  channelId?: string | null | undefined;
  conversationId?: string | null | undefined;
  messageId?: string | null | undefined;
}

/** What a row keeps of a failure's message. */
export const CHATBOT_ERROR_MESSAGE_LENGTH = 500;

/**
 * Records a final failure for the chatbot's health (`chatbot_error`), after the failure itself is
 * stored. One insert, outside the caller's transaction; it never throws: a failure path must not
 * fail because its record could not be written (logged and dropped instead).
 */
export async function recordChatbotError(db: Db, input: ChatbotErrorInput, log?: Logger): Promise<void> {
  try {
    await db.insert(chatbotErrors).values({
      workspaceId: input.workspaceId,
      chatbotId: input.chatbotId,
      kind: input.kind,
      code: input.code.slice(0, 100),
      message: input.message ? input.message.slice(0, CHATBOT_ERROR_MESSAGE_LENGTH) : null,
      provider: input.provider ?? null,
      model: input.model ?? null,
      channelId: input.channelId ?? null,
      conversationId: input.conversationId ?? null,
      messageId: input.messageId ?? null,
    });
  } catch (err) {
    log?.warn({ err, kind: input.kind, code: input.code }, "could not record the chatbot error");
  }
}
