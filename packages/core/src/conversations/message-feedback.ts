import type { MessageFeedbackSummary } from "@tandem/contracts";
import { type Db, feedback } from "@tandem/db";
import { and, eq, type SQL, sql } from "drizzle-orm";

/**
 * Customers' ratings of a message (`feedback`: one row per message and rater), as the inbox shows
 * them: counts per rating and the newest non-empty comment. One aggregate row per message, read
 * through `feedback_message_identifier_key`.
 */
export function feedbackSummaryQuery(db: Db, workspaceId: string, messageId: SQL | string) {
  return db
    .select({
      total: sql<number>`count(*)::int`.as("total"),
      helpful: sql<number>`count(*) filter (where ${feedback.rating} = 'helpful')::int`.as("helpful"),
      notHelpful: sql<number>`count(*) filter (where ${feedback.rating} = 'not_helpful')::int`.as("not_helpful"),
      inappropriate: sql<number>`count(*) filter (where ${feedback.rating} = 'inappropriate')::int`.as("inappropriate"),
      latestComment: sql<
        string | null
      >`(array_agg(${feedback.comment} order by ${feedback.updatedAt} desc, ${feedback.id} desc)
        filter (where coalesce(${feedback.comment}, '') <> ''))[1]`.as("latest_comment"),
    })
    .from(feedback)
    .where(and(eq(feedback.messageId, messageId), eq(feedback.workspaceId, workspaceId)));
}

export interface FeedbackAggregate extends MessageFeedbackSummary {
  total: number;
}

/** The DTO's `feedback`: null while nobody rated the message. */
export const toFeedbackSummary = (row: FeedbackAggregate | null | undefined): MessageFeedbackSummary | null =>
  row?.total
    ? {
        helpful: row.helpful,
        notHelpful: row.notHelpful,
        inappropriate: row.inappropriate,
        latestComment: row.latestComment,
      }
    : null;

/**
 * One message's ratings, for a caller that publishes the message again after a rating changed
 * (`messageToDto(row, undefined, await loadFeedbackSummary(…))`): live events otherwise carry none.
 */
export async function loadFeedbackSummary(
  db: Db,
  workspaceId: string,
  messageId: string,
): Promise<MessageFeedbackSummary | null> {
  const [row] = await feedbackSummaryQuery(db, workspaceId, messageId);
  return toFeedbackSummary(row);
}
