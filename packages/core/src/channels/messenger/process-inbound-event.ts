/**
 * Turns one stored Messenger entry (`inbound_event`, written by the webhook) into inbox state:
 * contacts, conversations, messages, statuses and reactions, then live updates and the next jobs.
 *
 * Idempotency is per event, not per entry, so a retry after a partial failure replays safely:
 * - a message is unique on (channel, mid); an insert that conflicts changes nothing — unread counts
 *   and previews move only when a row was really inserted. The same webhook delivered twice, or by
 *   two concurrent requests, gives one message;
 * - status moves only go forward (sent → delivered → read) and reactions are set, not appended;
 * - follow-up jobs have ids derived from the work (`bot-reply:{messageId}`, `profile:{contactId}`).
 *   A message remembers the inbound event that created it, so when the job is retried after the
 *   insert committed (the process died before the follow-ups), the follow-ups are enqueued again;
 *   a true duplicate from Meta, arriving later, is recognised and triggers nothing.
 *
 * Nothing is enqueued or published inside a transaction: with PGlite's single connection a query
 * issued outside an open transaction would wait for it forever.
 */

import { CONTACT_ACTIVE_MS } from "@tandem/contracts";
import {
  channels,
  chatbots,
  contacts,
  conversations,
  type Db,
  inBackground,
  inboundEvents,
  type MessageAttachment,
  messages,
  rowsOf,
} from "@tandem/db";
import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../../app-deps.ts";
import { checkInboundMessage } from "../../bots/check-inbound-message.ts";
import { generateBotReply } from "../../bots/generate-bot-reply.ts";
import { enqueueSummaryIfDue } from "../../bots/summarize-conversation.ts";
import { fetchContactProfile } from "../../contacts/fetch-contact-profile.ts";
import { publishConversation, publishMessage } from "../../conversations/publish.ts";
import { defineJob, type JobContext } from "../../jobs/define-job.ts";
import { describeError, isRetryable } from "../../jobs/errors.ts";
import { truncateText } from "../../storable-text.ts";
import { ingestIdle } from "./receive-webhook.ts";
import { ECHO_METADATA_PREFIX } from "./send.ts";
import {
  entryEvents,
  type MessengerAttachmentRef,
  type MessengerDeliveryEvent,
  type MessengerEchoEvent,
  type MessengerMessageEvent,
  type MessengerPostbackEvent,
  type MessengerReactionEvent,
  type MessengerReadEvent,
  parseMessengerEntry,
} from "./webhook.ts";

type Deps = JobContext<AppJobDeps>;

/** A customer writing after this long a silence starts a new session (the bot-reply count restarts). */
export const NEW_SESSION_AFTER_HOURS = 24;
type ChannelRow = typeof channels.$inferSelect;
type ContactRow = typeof contacts.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;
type MessageRow = typeof messages.$inferSelect;

export const processInboundEvent = defineJob({
  name: "process-inbound-event",
  schema: z.object({ eventId: z.string().min(1) }),
  retry: { attempts: 5 },
  // Events of one entry run in order; separate entries run side by side (a PostgreSQL pool uses it).
  concurrency: 4,
  // On PGlite's one connection, acknowledging webhooks and sending replies go first: a burst is
  // stored at full speed and processed in the gaps (queries at most 200 ms behind; see ingestIdle
  // for the start of the job), so it never starves.
  background: true,
  handle: async ({ eventId }, deps: JobContext<AppJobDeps>) => {
    // Webhook acknowledgements come first (see receive-webhook.ts): start in a moment they leave free.
    await ingestIdle(deps.db);
    const [event] = await deps.db
      .update(inboundEvents)
      .set({ status: "processing", attempts: sql`${inboundEvents.attempts} + 1` })
      .where(and(eq(inboundEvents.id, eventId), inArray(inboundEvents.status, ["pending", "processing", "failed"])))
      .returning();
    if (!event) return; // processed, ignored, or gone: nothing to do
    if (event.attempts > 1 && event.channelId) await bumpChannel(deps.db, event.channelId, "retries");

    try {
      const channel = await resolveChannel(deps.db, event.externalId);
      if (!channel) {
        await finish(deps.db, eventId, "ignored");
        return;
      }
      const entry = parseMessengerEntry(event.payload);
      for (const { event: item, standby } of entryEvents(entry)) {
        const scope = { deps, channel, eventId, standby, receivedAt: event.receivedAt };
        switch (item.type) {
          case "message":
          case "postback":
            await receiveUserMessage(scope, item);
            break;
          case "echo":
            await receiveEcho(scope, item);
            break;
          case "delivery":
          case "read":
            await advanceStatuses(scope, item);
            break;
          case "reaction":
            await applyReaction(scope, item);
            break;
          case "unknown":
            deps.log.debug({ eventId, keys: item.keys }, "skipped a Messenger event of an unknown kind");
            break;
        }
      }
      await inBackground(() => finish(deps.db, eventId, "processed", channel.id));
    } catch (error) {
      const final = !isRetryable(error) || deps.attempt >= deps.maxAttempts;
      await deps.db
        .update(inboundEvents)
        .set({ status: "failed", error: describeError(error) })
        .where(eq(inboundEvents.id, eventId));
      if (final && event.channelId) await bumpChannel(deps.db, event.channelId, "eventsFailed");
      throw error;
    }
  },
});

interface Scope {
  deps: Deps;
  channel: ChannelRow;
  eventId: string;
  standby: boolean;
  /** When the webhook carrying the event arrived (a data-deletion request may have come since). */
  receivedAt: Date;
}

/** The connected (not disconnected) Messenger channel of a Page, looked up again at processing time. */
async function resolveChannel(db: Db, pageId: string | null): Promise<ChannelRow | null> {
  if (!pageId) return null;
  const [channel] = await db
    .select()
    .from(channels)
    .where(and(eq(channels.type, "messenger"), eq(channels.externalId, pageId), isNull(channels.disconnectedAt)))
    .limit(1);
  return channel ?? null;
}

async function finish(db: Db, eventId: string, status: "processed" | "ignored", channelId?: string) {
  await db
    .update(inboundEvents)
    .set({ status, processedAt: sql`now()`, error: null, ...(channelId ? { channelId } : {}) })
    .where(eq(inboundEvents.id, eventId));
}

async function bumpChannel(db: Db, channelId: string, counter: "retries" | "eventsFailed") {
  const column = channels[counter];
  await db
    .update(channels)
    .set({ [counter]: sql`${column} + 1` })
    .where(eq(channels.id, channelId));
}

// ---- customer messages ---------------------------------------------------------------------------

/** A text, attachment, quick-reply tap or postback from the customer: a USER message. */
async function receiveUserMessage(scope: Scope, item: MessengerMessageEvent | MessengerPostbackEvent) {
  const { deps, channel, eventId, standby } = scope;
  const at = eventTime(item.timestamp);
  const isPostback = item.type === "postback";
  const attachments = isPostback ? [] : toAttachments(item.attachments);
  const text = isPostback ? item.title : item.text;
  const payload = isPostback ? item.payload : item.quickReplyPayload;
  // A postback without a mid (older deliveries) still needs a stable id to deduplicate on.
  const mid = item.mid ?? `postback:${item.senderId}:${item.timestamp}`;

  const result = await deps.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const contact = await upsertContact(tx, channel, item.senderId, at);
    // The person asked Meta to delete their data after this webhook arrived: keep that the message
    // happened, not what it said (see data-deletion.ts).
    const erased = contact.erasedAt !== null && contact.erasedAt >= scope.receivedAt;
    const conversation = await upsertConversation(tx, channel, contact, at);
    const replyToId = !isPostback && item.replyToMid ? await messageIdByMid(tx, channel.id, item.replyToMid) : null;
    const [message] = await tx
      .insert(messages)
      .values({
        workspaceId: channel.workspaceId,
        conversationId: conversation.id,
        channelId: channel.id,
        role: "USER",
        kind: attachments.length > 0 ? "attachment" : "text",
        text: erased ? null : text,
        attachments: erased ? [] : attachments,
        payload: erased ? null : payload,
        status: "received",
        platformMessageId: mid,
        replyToId,
        metadata: {
          inboundEventId: eventId,
          ...(standby ? { standby: true } : {}),
          ...(isPostback ? { postback: true } : {}),
        },
        createdAt: at,
      })
      .onConflictDoNothing({ target: [messages.channelId, messages.platformMessageId] })
      .returning();
    if (!message) return { contact, conversation, message: null, notes: [] };
    const [bumped] = await tx
      .update(conversations)
      .set({
        ...lastMessageFields(at, erased ? null : preview(text, attachments)),
        lastInboundAt: sql`greatest(${conversations.lastInboundAt}, ${at.toISOString()}::timestamptz)`,
        unreadCount: sql`${conversations.unreadCount} + 1`,
        // A new session — the conversation was closed, or quiet for a day — starts a new count of bot
        // replies in a row (the right-hand side reads the values before this update).
        consecutiveBotReplies: sql`case when ${conversations.status} = 'CLOSED'
          or ${conversations.lastMessageAt} < now() - make_interval(hours => ${NEW_SESSION_AFTER_HOURS})
          then 0 else ${conversations.consecutiveBotReplies} end`,
        // A new message reopens a closed or snoozed conversation: one continuous thread per customer.
        status: "OPEN",
        snoozedUntil: null,
      })
      .where(eq(conversations.id, conversation.id))
      .returning();
    // Guardrails of step 2: profanity is flagged, a request for a person hands off before any bot reply.
    const checked = await checkInboundMessage(tx, bumped ?? conversation, message);
    return { contact, conversation: checked.conversation, message: checked.message, notes: checked.notes };
  });

  const message = result.message ?? (await replayOf(deps.db, channel.id, mid, eventId));
  if (!message) return; // a duplicate delivery of a message stored earlier
  const conversation = result.conversation;
  // The bot's reply first (the embedded queue starts it as it is enqueued), then the live events.
  const botReplies = !standby && conversation.autoBot && conversation.chatbotId !== null;
  if (botReplies) {
    await deps.queue.enqueue(
      generateBotReply,
      { conversationId: conversation.id, triggerMessageId: message.id, mode: "auto" },
      { jobId: `bot-reply:${message.id}`, workspaceId: channel.workspaceId },
    );
  }
  if (result.message) publishMessage(deps.realtime, channel.workspaceId, message);
  for (const note of result.notes) publishMessage(deps.realtime, channel.workspaceId, note);
  await inBackground(async () => {
    await publishConversation(deps.realtime, deps.db, channel.workspaceId, conversation.id);
    await fetchProfileOnce(deps, result.contact);
    // With no bot reply coming (the bot's job checks after it answers), the summary is checked here,
    // so conversations people handle keep their memory for "draft with AI" — which needs a chatbot:
    // without one there is nothing to summarise for.
    if (!botReplies && conversation.chatbotId) await enqueueSummaryIfDue(deps, conversation.id);
  });
}

// ---- echoes: messages the Page sent -----------------------------------------------------------

/** Page inbox (Meta Business Suite): the app id Meta puts on echoes of messages typed there. */
export const PAGE_INBOX_APP_ID = "263902037430900";

/**
 * An echo of our own send is matched by its mid and changes nothing. An echo from our app whose send
 * is not recorded yet is skipped too: the send job writes that message. Anything else was sent from
 * another tool (the Page inbox, another app): an AGENT message marked `sentFromOutside`. A person
 * answering elsewhere also switches the bot off, as an agent's reply in Tandem does.
 */
async function receiveEcho(scope: Scope, item: MessengerEchoEvent) {
  const { deps, channel, eventId } = scope;
  if (await messageIdByMid(deps.db, channel.id, item.mid)) return;
  const ourAppId = deps.config.facebook.appId;
  if ((ourAppId && item.appId === ourAppId) || (await isOurSend(deps.db, channel.id, item.metadata))) {
    deps.log.debug({ mid: item.mid }, "echo of our own send (a later part, or before the send was recorded)");
    return;
  }
  const at = eventTime(item.timestamp);
  const attachments = toAttachments(item.attachments);
  const result = await deps.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const contact = await upsertContact(tx, channel, item.recipientId);
    const conversation = await upsertConversation(tx, channel, contact, at);
    const [message] = await tx
      .insert(messages)
      .values({
        workspaceId: channel.workspaceId,
        conversationId: conversation.id,
        channelId: channel.id,
        role: "AGENT",
        kind: attachments.length > 0 ? "attachment" : "text",
        text: item.text,
        attachments,
        status: "sent",
        platformMessageId: item.mid,
        sentFromOutside: true,
        metadata: { inboundEventId: eventId, appId: item.appId, echoMetadata: item.metadata },
        sentAt: at,
        createdAt: at,
      })
      .onConflictDoNothing({ target: [messages.channelId, messages.platformMessageId] })
      .returning();
    if (!message) return { contact, conversation, message: null };
    await tx
      .update(conversations)
      .set({ ...lastMessageFields(at, preview(item.text, attachments)), humanRepliedAt: at, autoBot: false })
      .where(eq(conversations.id, conversation.id));
    return { contact, conversation, message };
  });
  if (!result.message) return;
  publishMessage(deps.realtime, channel.workspaceId, result.message);
  await publishConversation(deps.realtime, deps.db, channel.workspaceId, result.conversation.id);
  await fetchProfileOnce(deps, result.contact);
}

/**
 * Every part we send carries `metadata: "tandem:{messageId}"`, which Meta echoes back: it recognises
 * our own sends without `FB_APP_ID` (a manually connected Page), including parts after the first of
 * a split reply, whose mids are not the message's platform id.
 */
async function isOurSend(db: Db, channelId: string, metadata: string | null): Promise<boolean> {
  const messageId = metadata?.startsWith(ECHO_METADATA_PREFIX) ? metadata.slice(ECHO_METADATA_PREFIX.length) : null;
  if (!messageId) return false;
  const [row] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.channelId, channelId)))
    .limit(1);
  return row !== undefined;
}

// ---- delivery and read receipts ---------------------------------------------------------------

/**
 * Moves our outbound messages (AGENT and BOT) in the customer's conversation forward: `delivery`
 * marks `sent` ones sent up to the watermark (and those it lists by mid) as delivered; `read` marks
 * `sent` and `delivered` ones up to the watermark as read. Statuses never move backwards.
 */
async function advanceStatuses(scope: Scope, item: MessengerDeliveryEvent | MessengerReadEvent) {
  const { deps, channel } = scope;
  const at = eventTime(item.timestamp);
  const watermark = new Date(item.watermark).toISOString();
  const sentBefore = sql`coalesce(${messages.sentAt}, ${messages.createdAt}) <= ${watermark}::timestamptz`;
  const ofCustomer = inArray(
    messages.conversationId,
    deps.db
      .select({ id: conversations.id })
      .from(conversations)
      .innerJoin(contacts, eq(contacts.id, conversations.contactId))
      .where(and(eq(conversations.channelId, channel.id), eq(contacts.platformUserId, item.senderId))),
  );
  const outbound = inArray(messages.role, ["AGENT", "BOT"]);

  const updated =
    item.type === "delivery"
      ? await deps.db
          .update(messages)
          .set({ status: "delivered", deliveredAt: at })
          .where(
            and(
              ofCustomer,
              outbound,
              eq(messages.status, "sent"),
              item.mids.length > 0 ? or(sentBefore, inArray(messages.platformMessageId, item.mids)) : sentBefore,
            ),
          )
          .returning()
      : await deps.db
          .update(messages)
          .set({
            status: "read",
            readAt: at,
            deliveredAt: sql`coalesce(${messages.deliveredAt}, ${at.toISOString()}::timestamptz)`,
          })
          .where(and(ofCustomer, outbound, inArray(messages.status, ["sent", "delivered"]), sentBefore))
          .returning();
  for (const message of updated) publishMessage(deps.realtime, channel.workspaceId, message, "updated");
  await markSeen(deps, channel, item.senderId, at);
}

// ---- reactions --------------------------------------------------------------------------------

/** Stored on the target message as `{ [psid]: emoji }`; `unreact` removes the customer's reaction. */
async function applyReaction(scope: Scope, item: MessengerReactionEvent) {
  const { deps, channel } = scope;
  const target = and(eq(messages.channelId, channel.id), eq(messages.platformMessageId, item.mid));
  const value = item.emoji ?? item.reaction ?? "other";
  const [message] = await deps.db
    .update(messages)
    .set({
      reactions:
        item.action === "react"
          ? sql`${messages.reactions} || jsonb_build_object(${item.senderId}::text, ${value}::text)`
          : sql`${messages.reactions} - ${item.senderId}::text`,
    })
    .where(target)
    .returning();
  if (message) publishMessage(deps.realtime, channel.workspaceId, message, "updated");
  else deps.log.debug({ mid: item.mid }, "reaction to a message we do not have");
  await markSeen(deps, channel, item.senderId, eventTime(item.timestamp));
}

// ---- shared steps -----------------------------------------------------------------------------

/** The contact of a PSID, created on first sight; `seenAt` when the customer themself did something. */
async function upsertContact(tx: Db, channel: ChannelRow, psid: string, seenAt?: Date): Promise<ContactRow> {
  const seen = seenAt
    ? { lastSeenAt: sql`greatest(${contacts.lastSeenAt}, ${seenAt.toISOString()}::timestamptz)` }
    : {};
  const [contact] = await tx
    .insert(contacts)
    .values({
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      platformUserId: psid,
      lastSeenAt: seenAt ?? null,
    })
    .onConflictDoUpdate({
      target: [contacts.channelId, contacts.platformUserId],
      set: { updatedAt: sql`now()`, ...seen },
    })
    .returning();
  return contact!;
}

/**
 * A receipt or a reaction shows the customer is around: their contact's `last_seen_at` moves on. When
 * that makes them active again (not seen for `CONTACT_ACTIVE_MS`), the inbox hears of it.
 */
async function markSeen(deps: Deps, channel: ChannelRow, psid: string, at: Date): Promise<void> {
  const seenAt = at.toISOString();
  const result = await deps.db.execute(sql`
    update ${contacts} c set last_seen_at = ${seenAt}::timestamptz
    from (select id, last_seen_at from ${contacts}
          where channel_id = ${channel.id} and platform_user_id = ${psid}
            and (last_seen_at is null or last_seen_at < ${seenAt}::timestamptz)) before
    where c.id = before.id
    returning c.id, before.last_seen_at as "previous"`);
  const [seen] = rowsOf<{ id: string; previous: string | Date | null }>(result);
  if (!seen) return;
  const wasActive = seen.previous !== null && at.getTime() - new Date(seen.previous).getTime() < CONTACT_ACTIVE_MS;
  if (wasActive) return;
  const [conversation] = await deps.db
    .select({ id: conversations.id })
    .from(conversations)
    .where(and(eq(conversations.contactId, seen.id), eq(conversations.channelId, channel.id)))
    .limit(1);
  if (conversation) await publishConversation(deps.realtime, deps.db, channel.workspaceId, conversation.id);
}

/**
 * One conversation per (channel, contact). A new one is answered by the channel's chatbot, or else by
 * the workspace's default chatbot; with neither, it starts with auto-bot off and waits for a person.
 */
async function upsertConversation(
  tx: Db,
  channel: ChannelRow,
  contact: ContactRow,
  at: Date,
): Promise<ConversationRow> {
  const defaultChatbot = sql`select ${chatbots.id} from ${chatbots} where ${chatbots.workspaceId} = ${channel.workspaceId}
    and ${chatbots.isDefault} and ${chatbots.deletedAt} is null limit 1`;
  const [conversation] = await tx
    .insert(conversations)
    .values({
      workspaceId: channel.workspaceId,
      channelId: channel.id,
      contactId: contact.id,
      chatbotId: channel.chatbotId ?? sql`(${defaultChatbot})`,
      // With no chatbot to answer, the conversation is for people from the start (auto-bot off), the
      // way an inbox without a bot works in Chatwoot or Intercom — never "bot on" with nobody to reply.
      autoBot: channel.chatbotId ? true : sql`exists (${defaultChatbot})`,
      lastMessageAt: at,
    })
    .onConflictDoUpdate({
      target: [conversations.channelId, conversations.contactId],
      targetWhere: sql`not ${conversations.isPlayground}`,
      set: { updatedAt: sql`now()` },
    })
    .returning();
  return conversation!;
}

async function messageIdByMid(db: Db, channelId: string, mid: string): Promise<string | null> {
  const [row] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.platformMessageId, mid)))
    .limit(1);
  return row?.id ?? null;
}

/** The message this very event stored on an earlier attempt (so its follow-ups run again), else null. */
async function replayOf(db: Db, channelId: string, mid: string, eventId: string): Promise<MessageRow | null> {
  const [row] = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.channelId, channelId),
        eq(messages.platformMessageId, mid),
        sql`${messages.metadata}->>'inboundEventId' = ${eventId}`,
      ),
    )
    .limit(1);
  return row ?? null;
}

/** Latest-message fields, moved only by a message at least as recent as the current latest. */
function lastMessageFields(at: Date, previewText: string | null) {
  const iso = at.toISOString();
  const newer = sql`${iso}::timestamptz >= ${conversations.lastMessageAt}`;
  return {
    lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${iso}::timestamptz)`,
    lastMessagePreview: sql`case when ${newer} then ${previewText} else ${conversations.lastMessagePreview} end`,
  };
}

/** The first message of a contact fetches its profile (once: the job id is per contact). */
async function fetchProfileOnce(deps: Deps, contact: ContactRow) {
  if (contact.profileFetchedAt || contact.erasedAt) return;
  await deps.queue.enqueue(
    fetchContactProfile,
    { contactId: contact.id },
    { jobId: `profile:${contact.id}`, workspaceId: contact.workspaceId },
  );
}

/** Meta's timestamp, but never in our future (clock skew would misorder the thread). */
function eventTime(timestamp: number): Date {
  return new Date(Math.min(timestamp, Date.now()));
}

const ATTACHMENT_TYPES: Record<string, MessageAttachment["type"]> = {
  image: "image",
  video: "video",
  reel: "video",
  ig_reel: "video",
  audio: "audio",
  file: "file",
  sticker: "sticker",
  location: "location",
};

function toAttachments(refs: MessengerAttachmentRef[]): MessageAttachment[] {
  return refs.map((a) => ({
    type: ATTACHMENT_TYPES[a.type] ?? "fallback",
    url: a.url ?? "",
    ...(a.title ? { name: a.title } : {}),
  }));
}

function preview(text: string | null, attachments: MessageAttachment[]): string {
  if (text) return text.length > 200 ? `${truncateText(text, 199)}…` : text;
  const first = attachments[0];
  return first ? `[${first.type}]` : "";
}
