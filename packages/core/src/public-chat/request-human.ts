import type { PublicMessageDto } from "@tandem/contracts";
import { conversations, type Db, type messages } from "@tandem/db";
import { eq } from "drizzle-orm";
import type { AppJobDeps } from "../app-deps.ts";
import { handOffConversation, publishHandoff } from "../bots/handoff.ts";
import { sendOutboundMessage } from "../messages/send-outbound-message.ts";
import { assertChatbotAnswers } from "./assert-chatbot-answers.ts";
import { publicMessageOf } from "./public-message.ts";
import { openSessionConversation, type PublicSession } from "./public-session.ts";

type MessageRow = typeof messages.$inferSelect;

export interface RequestHumanResult {
  conversationId: string;
  /** Why the conversation is with a person (`human_requested`, or the reason it already was). */
  reason: string;
  /** What the customer is told (the chatbot's handoff message), when something is; null otherwise. */
  message: PublicMessageDto | null;
}

/**
 * `POST …/sessions/{sessionId}/handoff` — "talk to a person": the handoff every channel has
 * (`handOffConversation`, reason `human_requested`: auto-bot off, flagged for a person, a SYSTEM note
 * for agents, the chatbot's handoff message to the customer, sent like any bot answer). It works
 * before the session's first message too (its conversation is opened for it). When a person already
 * has the conversation nothing more is written.
 */
export async function requestHuman(
  deps: AppJobDeps,
  session: PublicSession,
  input: { preview: boolean; reason?: string | undefined },
): Promise<RequestHumanResult> {
  assertChatbotAnswers(session.chatbot, input);
  const { conversation } = await openSessionConversation(deps.db, session);
  const written = await deps.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const [current] = await tx.select().from(conversations).where(eq(conversations.id, conversation.id)).for("update");
    if (!current) return { rows: [] as MessageRow[], reason: "human_requested" };
    const withPerson = !current.autoBot && (current.needsHuman || current.humanRepliedAt !== null);
    if (withPerson) return { rows: [] as MessageRow[], reason: current.handoffReason ?? "human_active" };
    const rows = await handOffConversation(tx, current, {
      reason: "human_requested",
      chatbot: session.chatbot,
      meta: { stage: "public", ...(input.reason ? { customerReason: input.reason } : {}) },
    });
    return { rows, reason: "human_requested" };
  });
  const told = written.rows.find((row) => row.role === "BOT" && row.status === "queued");
  if (told) {
    await deps.queue.enqueue(
      sendOutboundMessage,
      { messageId: told.id },
      { jobId: `send:${told.id}`, workspaceId: conversation.workspaceId },
    );
  }
  if (written.rows.length) {
    await publishHandoff(deps.realtime, deps.db, conversation.workspaceId, conversation.id, written.rows);
  }
  return {
    conversationId: conversation.id,
    reason: written.reason,
    message: told ? await publicMessageOf(deps.db, told.id) : null,
  };
}
