import type { Db } from "@tandem/db";
import type { RetrievalFailure } from "../bots/retrieve-knowledge.ts";
import type { Logger } from "../logger.ts";
import { recordChatbotError } from "./record-chatbot-error.ts";

/** Where the answer behind a failed vector search was asked for. */
export interface RetrievalFailureWhere {
  workspaceId: string;
  chatbotId: string;
  /** Null in the playground and in compare mode (no channel). */
  channelId: string | null;
  /** Null in compare mode (nothing stored). */
  conversationId: string | null;
  /** The question answered, when there is one. */
  messageId: string | null;
}

/**
 * The vector path behind an answer failed and the answer used full text only: recorded for the
 * chatbot's health (`chatbot_error`, kind `retrieval`) whoever asked — a live reply, the
 * playground, an agent's AI draft or reply as bot — so a failing embedding provider shows in the
 * health wherever it was first met. Nothing when the retrieval did not fail; never throws.
 */
export async function recordRetrievalFailure(
  db: Db,
  failure: RetrievalFailure | null,
  where: RetrievalFailureWhere,
  log?: Logger,
): Promise<void> {
  if (!failure) return;
  await recordChatbotError(
    db,
    {
      ...where,
      kind: "retrieval",
      code: failure.code,
      message: failure.message,
      provider: failure.provider,
      model: failure.model,
    },
    log,
  );
}
