/**
 * One normalised customer event (`ChannelAdapter.inbound.normalize`) applied to the inbox, whatever the
 * channel: messages and echoes become thread rows; receipts, reactions, follows and unsends change
 * rows that exist. Each is idempotent, so a retried inbound event replays safely: statuses only move
 * forward (sent → delivered → read), reactions are set, not appended.
 */
import { type channels, contacts, conversations, messages } from "@tandem/db";
import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { AppJobDeps } from "../app-deps.ts";
import type { CustomerEvent } from "../channels/adapter.ts";
import { refreshPageMetadata } from "../channels/messenger/refresh-page-metadata.ts";
import { markContactSeen } from "../contacts/mark-contact-seen.ts";
import { publishMessage } from "../conversations/publish.ts";
import { receiveCustomerMessage } from "../conversations/receive-customer-message.ts";
import { recordEcho } from "../conversations/record-echo.ts";
import { deleteMedia, mediaIdOfUrl } from "../media/media-store.ts";

type Deps = Pick<AppJobDeps, "db" | "queue" | "realtime" | "log" | "config">;
type ChannelRow = Pick<typeof channels.$inferSelect, "id" | "workspaceId" | "chatbotId">;

export interface EventScope {
  channel: ChannelRow;
  /** The `inbound_event` row that carried the event. */
  eventId: string;
  /** When that row arrived. */
  receivedAt: Date;
}

export async function applyCustomerEvent(deps: Deps, scope: EventScope, event: CustomerEvent): Promise<void> {
  const { channel, eventId } = scope;
  switch (event.type) {
    case "message":
      await receiveCustomerMessage(deps, {
        channel,
        from: event.from,
        thread: event.thread,
        message: event.message,
        standby: event.standby,
        inboundEventId: eventId,
        receivedAt: scope.receivedAt,
      });
      return;
    case "echo":
      return recordEcho(deps, channel, event, eventId);
    case "receipt":
      return applyReceipt(deps, channel, event);
    case "reaction":
      return applyReaction(deps, channel, event);
    case "follow":
    case "unfollow":
      return setFollowing(deps, channel, event);
    case "unsend":
      return markUnsent(deps, channel, event);
    case "account_changed":
      // A fresh job per inbound event: each change reads the Page again, once.
      await deps.queue.enqueue(
        refreshPageMetadata,
        { channelId: channel.id },
        { jobId: `page-metadata:${eventId}`, workspaceId: channel.workspaceId },
      );
      return;
    case "unknown":
      deps.log.debug({ eventId, keys: event.keys }, "skipped a platform event of an unknown kind");
      return;
  }
}

/** The platform's time, but never in our future (clock skew would misorder the thread). */
const notAfterNow = (at: Date) => new Date(Math.min(at.getTime(), Date.now()));

/**
 * Moves our outbound messages (AGENT and BOT) in the customer's conversation forward: `delivered`
 * marks `sent` ones sent up to the watermark (and those it lists by platform id) as delivered; `read`
 * marks `sent` and `delivered` ones up to the watermark as read. Statuses never move backwards.
 */
async function applyReceipt(deps: Deps, channel: ChannelRow, event: Extract<CustomerEvent, { type: "receipt" }>) {
  const at = notAfterNow(event.at);
  const sentBefore = event.watermark
    ? sql`coalesce(${messages.sentAt}, ${messages.createdAt}) <= ${event.watermark.toISOString()}::timestamptz`
    : sql`false`;
  const listed =
    event.platformMessageIds.length > 0 ? inArray(messages.platformMessageId, event.platformMessageIds) : null;
  const which = listed ? or(sentBefore, listed) : sentBefore;
  const ofCustomer = inArray(
    messages.conversationId,
    deps.db
      .select({ id: conversations.id })
      .from(conversations)
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(and(eq(conversations.channelId, channel.id), eq(contacts.platformUserId, event.from.platformId))),
  );
  const outbound = inArray(messages.role, ["AGENT", "BOT"]);

  const updated =
    event.status === "delivered"
      ? await deps.db
          .update(messages)
          .set({ status: "delivered", deliveredAt: at })
          .where(and(ofCustomer, outbound, eq(messages.status, "sent"), which))
          .returning()
      : await deps.db
          .update(messages)
          .set({
            status: "read",
            readAt: at,
            deliveredAt: sql`coalesce(${messages.deliveredAt}, ${at.toISOString()}::timestamptz)`,
          })
          .where(and(ofCustomer, outbound, inArray(messages.status, ["sent", "delivered"]), which))
          .returning();
  for (const message of updated) publishMessage(deps.realtime, channel.workspaceId, message, "updated");
  await markContactSeen(deps, channel, event.from.platformId, at);
}

/** Stored on the target message as `{ [platform user id]: emoji }`; `unreact` removes the customer's. */
async function applyReaction(deps: Deps, channel: ChannelRow, event: Extract<CustomerEvent, { type: "reaction" }>) {
  const person = event.from.platformId;
  const [message] = await deps.db
    .update(messages)
    .set({
      reactions:
        event.action === "react"
          ? sql`${messages.reactions} || jsonb_build_object(${person}::text, ${event.value}::text)`
          : sql`${messages.reactions} - ${person}::text`,
    })
    .where(and(eq(messages.channelId, channel.id), eq(messages.platformMessageId, event.platformMessageId)))
    .returning();
  if (message) publishMessage(deps.realtime, channel.workspaceId, message, "updated");
  else deps.log.debug({ platformMessageId: event.platformMessageId }, "reaction to a message we do not have");
  await markContactSeen(deps, channel, person, notAfterNow(event.at));
}

/** `unfollow` (blocked the account) sets the contact's `unfollowed_at`; `follow` clears it. */
async function setFollowing(
  deps: Deps,
  channel: ChannelRow,
  event: Extract<CustomerEvent, { type: "follow" | "unfollow" }>,
) {
  const at = notAfterNow(event.at);
  await deps.db
    .update(contacts)
    .set({ unfollowedAt: event.type === "unfollow" ? at : null })
    .where(and(eq(contacts.channelId, channel.id), eq(contacts.platformUserId, event.from.platformId)));
  if (event.type === "follow") await markContactSeen(deps, channel, event.from.platformId, at);
}

/**
 * The customer took a message back: its content goes — media we kept for it too —, the row stays
 * (marked unsent) so the thread shows it.
 */
async function markUnsent(deps: Deps, channel: ChannelRow, event: Extract<CustomerEvent, { type: "unsend" }>) {
  const target = and(
    eq(messages.channelId, channel.id),
    eq(messages.platformMessageId, event.platformMessageId),
    eq(messages.role, "USER"),
  );
  const [before] = await deps.db.select({ attachments: messages.attachments }).from(messages).where(target).limit(1);
  const [message] = await deps.db
    .update(messages)
    .set({ unsentAt: notAfterNow(event.at), text: null, attachments: [], payload: null })
    .where(target)
    .returning();
  if (!message) return;
  publishMessage(deps.realtime, channel.workspaceId, message, "updated");
  for (const attachment of before?.attachments ?? []) {
    const id = mediaIdOfUrl(attachment.url);
    if (id) await deleteMedia(deps.config.dataDir, channel.workspaceId, id);
  }
}
