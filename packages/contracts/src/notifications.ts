import { z } from "zod";

/**
 * A member's notifications (`/api/v1/notifications`, docs/inbox.md "Mentions"): being
 * @mentioned in an internal note, and for OWNERs a flagged message escalated to them
 * (docs/moderation.md). Pushed live as `notification:new` to the member's sockets and kept
 * until read, so a member who was offline still sees them.
 */

/** How many teammates one note may mention. */
export const MAX_MENTIONS = 20;

export const NotificationDto = z.object({
  id: z.string(),
  /** `mention`: @mentioned in a note; `moderation_escalated`: a flagged message escalated to the OWNERs. */
  kind: z.enum(["mention", "moderation_escalated"]),
  conversationId: z.string(),
  messageId: z.string(),
  /** Who mentioned the member; null once that account is gone. */
  actor: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  /** The start of the note. */
  excerpt: z.string(),
  /** The customer's name, to say where. */
  contactName: z.string().nullable(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
});
export type NotificationDto = z.infer<typeof NotificationDto>;

export const NotificationQuery = z.object({
  /** `true` (the default): unread only; `false`: read ones too. */
  unread: z.enum(["true", "false"]).default("true"),
});
export type NotificationQuery = z.infer<typeof NotificationQuery>;

/** The newest 100, newest first; `unreadCount` counts every unread one. */
export const NotificationList = z.object({
  data: z.array(NotificationDto),
  nextCursor: z.null(),
  unreadCount: z.number().int(),
});
export type NotificationList = z.infer<typeof NotificationList>;

export const NotificationParam = z.object({ id: z.string().min(1).max(64) });

export const MarkedRead = z.object({ marked: z.number().int() });
export type MarkedRead = z.infer<typeof MarkedRead>;
