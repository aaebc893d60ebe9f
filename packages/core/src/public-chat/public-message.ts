import type { PublicMessageDto } from "@tandem/contracts";
import { type Db, feedback, members, messages, moderationFlags, users } from "@tandem/db";
import { and, asc, eq, inArray, isNull, ne, notExists, type SQL, sql } from "drizzle-orm";
import { messageColumns, productsOf, sourcesOf } from "../conversations/to-dto.ts";
import { publicMediaPath } from "../media/media-store.ts";
import { PUBLIC_KINDS, type PublicChannelKind } from "./public-channel.ts";

/**
 * A conversation's messages as its customer may see them (`PublicMessageDto`): what they and the bot
 * and agents wrote — never internal notes, SYSTEM events, drafts, a message taken back, or one a
 * moderator removed. An agent is named by their display name only.
 */
export const customerVisible: SQL = and(
  inArray(messages.role, ["USER", "BOT", "AGENT"]),
  inArray(messages.kind, ["text", "attachment"]),
  ne(messages.status, "draft"),
  isNull(messages.unsentAt),
  notExists(
    sql`(select 1 from ${moderationFlags} where ${moderationFlags.messageId} = ${messages.id} and ${moderationFlags.decision} = 'removed')`,
  ),
)!;

/** Who rated on the public side: the feedback row's `identifier` for a session of the widget or the API. */
export const feedbackIdentifier = (kind: PublicChannelKind, sessionId: string) =>
  `${PUBLIC_KINDS[kind].rater}:${sessionId}`;

/**
 * The visible messages matching `where`, oldest first, with the agent's name and the session's own
 * rating (`identifier`, or none).
 */
export async function loadPublicMessages(
  db: Db,
  where: SQL,
  options: { identifier: string | null; limit: number },
): Promise<PublicMessageDto[]> {
  const rows = await db
    .select({
      message: messageColumns,
      authorName: users.name,
      rating: feedback.rating,
    })
    .from(messages)
    .leftJoin(members, eq(members.id, messages.authorMemberId))
    .leftJoin(users, eq(users.id, members.userId))
    .leftJoin(feedback, and(eq(feedback.messageId, messages.id), eq(feedback.identifier, options.identifier ?? "")))
    .where(and(customerVisible, where))
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .limit(options.limit);
  return rows.map(({ message: m, authorName, rating }) => ({
    id: m.id,
    role: m.role as PublicMessageDto["role"],
    text: m.text,
    // An agent's upload by its public address (relative to the server); the inbox's URL needs a session.
    attachments: m.attachments.map((a) => ({
      type: a.type,
      url: a.mediaId && m.role === "AGENT" ? publicMediaPath(m.workspaceId, a.mediaId, a.name) : a.url,
      name: a.name ?? null,
      ...(a.mime ? { mime: a.mime } : {}),
      ...(a.size !== undefined ? { size: a.size } : {}),
      ...(a.width && a.height ? { width: a.width, height: a.height } : {}),
    })),
    author: m.role === "AGENT" ? { name: authorName || "Support" } : null,
    sources: m.role === "BOT" ? (sourcesOf(m) ?? []) : [],
    products: productsOf(m),
    feedback: rating ?? null,
    createdAt: m.createdAt.toISOString(),
  }));
}

/** One message as its customer sees it, or null when they may not (a note, an event, removed). */
export async function publicMessageOf(db: Db, messageId: string): Promise<PublicMessageDto | null> {
  const [dto] = await loadPublicMessages(db, eq(messages.id, messageId), { identifier: null, limit: 1 });
  return dto ?? null;
}
