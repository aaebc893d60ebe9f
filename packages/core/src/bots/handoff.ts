import { conversations, type Db, type messages } from "@tandem/db";
import { eq } from "drizzle-orm";
import { appendMessage } from "../conversations/append-message.ts";
import { autoAssignConversation } from "../conversations/auto-assign.ts";
import { publishConversation, publishMessage } from "../conversations/publish.ts";
import type { RealtimePublisher } from "../realtime.ts";
import { type HandoffReason, handoffNote, type ResolvedGuardrails } from "./guardrails.ts";
import { handoffMessageFor } from "./handoff-message.ts";

type MessageRow = typeof messages.$inferSelect;

/**
 * "Hand off" always means the same thing, whoever decides it (a guardrail at ingestion, the bot's
 * reply job, a provider failure): auto-bot off, the conversation flagged as needing a person, the
 * time and reason recorded, a SYSTEM note in the thread saying why (its metadata carries the reason
 * code and, for provider failures, the error code), and — when the chatbot has something to say
 * (`handoff-message.ts`) — a BOT message telling the customer a person will reply, `queued` for the
 * send job like any bot answer, so the channel's rules for the bot apply (Messenger's window, LINE's
 * reply token). With round-robin assignment on, an online member gets the conversation. Runs inside the caller's transaction and returns the rows written, the note first;
 * the caller enqueues the send of the queued one and publishes (`publishHandoff`) after the commit.
 */
export async function handOffConversation(
  tx: Db,
  conversation: { id: string; workspaceId: string; channelId: string | null; contactId: string | null },
  input: {
    reason: HandoffReason;
    guardrails?: Pick<ResolvedGuardrails, "maxConsecutiveBotReplies">;
    /** The chatbot that speaks for the business here; without one the customer is not told. */
    chatbot?: Parameters<typeof handoffMessageFor>[1]["chatbot"];
    /** Extra words after the standard note, e.g. the provider's error. */
    detail?: string;
    meta?: Record<string, unknown>;
    at?: Date;
  },
): Promise<MessageRow[]> {
  const now = input.at ?? new Date();
  await tx
    .update(conversations)
    .set({ autoBot: false, needsHuman: true, handoffAt: now, handoffReason: input.reason })
    .where(eq(conversations.id, conversation.id));
  // Someone to take it, when the workspace assigns round-robin and a member is online.
  await autoAssignConversation(tx, conversation, now);
  const text = handoffNote(input.reason, input.guardrails) + (input.detail ? ` (${input.detail})` : "");
  const { message: note } = await appendMessage(tx, conversation, {
    role: "SYSTEM",
    kind: "event",
    text,
    status: "sent",
    sentAt: now,
    metadata: { ...input.meta, event: "handoff", reason: input.reason },
    createdAt: now,
  });
  const told = await handoffMessageFor(tx, {
    chatbot: input.chatbot,
    contactId: conversation.contactId,
    reason: input.reason,
  });
  if (!told) return [note!];
  const sendable = conversation.channelId !== null;
  const at = new Date(now.getTime() + 1);
  const { message } = await appendMessage(tx, conversation, {
    role: "BOT",
    kind: "text",
    text: told,
    status: sendable ? "queued" : "sent",
    sentAt: sendable ? null : at,
    metadata: { ...input.meta, event: "handoff_message", reason: input.reason },
    createdAt: at,
  });
  return [note!, message!];
}

/** After the commit: the rows written and the conversation's new state (auto-bot off, needs a person) go live. */
export async function publishHandoff(
  realtime: RealtimePublisher,
  db: Db,
  workspaceId: string,
  conversationId: string,
  notes: readonly MessageRow[],
): Promise<void> {
  for (const note of notes) publishMessage(realtime, workspaceId, note);
  await publishConversation(realtime, db, workspaceId, conversationId);
}
