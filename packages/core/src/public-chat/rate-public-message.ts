import type { PublicFeedbackInput } from "@tandem/contracts";
import { type Db, feedback, messages } from "@tandem/db";
import { and, eq, sql } from "drizzle-orm";
import { DomainError } from "../errors.ts";
import { findSessionConversation, type PublicSession, sessionIdentifier } from "./public-session.ts";

/**
 * `POST …/messages/{messageId}/feedback`: the session's rating of a bot answer — helpful, not helpful,
 * inappropriate, with an optional comment — kept in `feedback` (one per message and session: rating
 * again changes it) for agents and the answer-quality reports. Only a bot answer of the session's
 * own conversation can be rated: another session's message is not found (404), a customer's or an
 * agent's message is refused (409 `feedback_not_allowed`).
 */
export async function ratePublicMessage(
  db: Db,
  session: PublicSession,
  messageId: string,
  input: Pick<PublicFeedbackInput, "rating" | "text">,
): Promise<{ messageId: string; rating: PublicFeedbackInput["rating"] }> {
  const found = await findSessionConversation(db, session);
  const [message] = found
    ? await db
        .select({ id: messages.id, role: messages.role, kind: messages.kind, status: messages.status })
        .from(messages)
        .where(and(eq(messages.id, messageId), eq(messages.conversationId, found.conversation.id)))
    : [];
  if (!found || !message) throw new DomainError("message_not_found", "No such message in this session.");
  if (message.role !== "BOT" || message.kind !== "text" || message.status === "draft") {
    throw new DomainError("feedback_not_allowed", "Only the bot's answers can be rated.");
  }
  const comment = input.text?.trim() || null;
  await db
    .insert(feedback)
    .values({
      workspaceId: found.conversation.workspaceId,
      messageId,
      conversationId: found.conversation.id,
      rating: input.rating,
      comment,
      identifier: sessionIdentifier(session),
    })
    .onConflictDoUpdate({
      target: [feedback.messageId, feedback.identifier],
      set: { rating: input.rating, comment, updatedAt: sql`now()` },
    });
  return { messageId, rating: input.rating };
}
