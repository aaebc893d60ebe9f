import { conversations, type Db, type messages } from "@tandem/db";
import { eq } from "drizzle-orm";
import { appendMessage } from "../conversations/append-message.ts";
import { publishConversation, publishMessage } from "../conversations/publish.ts";
import type { RealtimePublisher } from "../realtime.ts";
import { type HandoffReason, handoffNote, type ResolvedGuardrails } from "./guardrails.ts";

type MessageRow = typeof messages.$inferSelect;

/**
 * "Hand off" always means the same thing, whoever decides it (a guardrail at ingestion, the bot's
 * reply job, a provider failure): auto-bot off, the conversation flagged as needing a person, the
 * time and reason recorded, and a SYSTEM note in the thread saying why (its metadata carries the
 * reason code and, for provider failures, the error code). Runs inside the caller's transaction;
 * the caller publishes with `publishHandoff` after the commit — that is the socket event.
 */
export async function handOffConversation(
  tx: Db,
  conversation: { id: string; workspaceId: string; channelId: string | null },
  input: {
    reason: HandoffReason;
    guardrails?: Pick<ResolvedGuardrails, "maxConsecutiveBotReplies">;
    /** Extra words after the standard note, e.g. the provider's error. */
    detail?: string;
    meta?: Record<string, unknown>;
    at?: Date;
  },
): Promise<MessageRow> {
  const now = input.at ?? new Date();
  await tx
    .update(conversations)
    .set({ autoBot: false, needsHuman: true, handoffAt: now, handoffReason: input.reason })
    .where(eq(conversations.id, conversation.id));
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
  return note!;
}

/** After the commit: the note(s) and the conversation's new state (auto-bot off, needs a person) go live. */
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
