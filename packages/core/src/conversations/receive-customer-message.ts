/**
 * Step 2 of the pipeline for every channel: a customer's message becomes inbox state. Webhook channels
 * reach it through `process-inbound-event` (an adapter's normalised `message` event); channels without
 * webhooks (widget, public API) call it directly. Its input names no platform.
 *
 * - Contact and conversation upsert: one conversation per (channel, contact). In a group or room
 *   (`thread`), the conversation's contact is the group and each message records its speaker
 *   (`sender_contact_id`), a contact of their own.
 * - The message insert is idempotent on (channel, platform message id): a duplicate changes nothing —
 *   unread counts and previews move only when a row was really inserted. A message remembers the
 *   inbound event that stored it, so a retry of that event after the insert committed (the process
 *   died before the follow-ups) enqueues the follow-ups again; a true duplicate triggers nothing.
 * - Guardrails (`checkInboundMessage`): profanity is flagged, a request for a person hands off before
 *   any bot reply. Then the auto-bot decision (never for `standby`: another app owns the thread), the
 *   live events and the profile fetch.
 *
 * Nothing is enqueued or published inside the transaction: with PGlite's single connection a query
 * issued outside an open transaction would wait for it forever.
 */
import { type channels, type contacts, conversations, type Db, inBackground, messages } from "@tandem/db";
import { and, eq, sql } from "drizzle-orm";
import type { AppJobDeps } from "../app-deps.ts";
import { checkInboundMessage } from "../bots/check-inbound-message.ts";
import { generateBotReply } from "../bots/generate-bot-reply.ts";
import { enqueueSummaryIfDue } from "../bots/summarize-conversation.ts";
import type { InboundMessage, Party } from "../channels/adapter.ts";
import { fetchContactProfile } from "../contacts/fetch-contact-profile.ts";
import { upsertContact } from "../contacts/upsert-contact.ts";
import { fetchMessageContent } from "../messages/fetch-message-content.ts";
import { appendMessage } from "./append-message.ts";
import { publishConversation, publishMessage } from "./publish.ts";
import { upsertConversation } from "./upsert-conversation.ts";

/** A customer writing after this long a silence starts a new session (the bot-reply count restarts). */
export const NEW_SESSION_AFTER_HOURS = 24;

type ChannelRow = Pick<typeof channels.$inferSelect, "id" | "workspaceId" | "chatbotId">;
type ContactRow = typeof contacts.$inferSelect;
type MessageRow = typeof messages.$inferSelect;

export interface ReceiveCustomerMessageInput {
  channel: ChannelRow;
  /** The person who wrote. */
  from: Party;
  /** The group or room it was written in, when the conversation is keyed by one. */
  thread?: Party | undefined;
  message: InboundMessage;
  /** Store it, never answer it: another app owns the conversation. */
  standby?: boolean;
  /** The inbound event that carried it (webhook channels). */
  inboundEventId?: string | undefined;
  /** When it reached us: a data-deletion request that came after wins over its content. */
  receivedAt?: Date;
}

export type ReceiveCustomerMessageDeps = Pick<AppJobDeps, "db" | "queue" | "realtime" | "log">;

/** Stores the message and starts what follows; returns it, or null for a duplicate of a stored one. */
export async function receiveCustomerMessage(
  deps: ReceiveCustomerMessageDeps,
  input: ReceiveCustomerMessageInput,
): Promise<MessageRow | null> {
  const { channel, message: incoming } = input;
  const standby = input.standby ?? false;
  // The platform's time, but never in our future (clock skew would misorder the thread).
  const at = new Date(Math.min(incoming.at.getTime(), Date.now()));
  const receivedAt = input.receivedAt ?? new Date();

  const result = await deps.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const speaker = await upsertContact(tx, channel, input.from.platformId, {
      seenAt: at,
      // Where a person first spoke, when in a group: their profile may only be readable there.
      ...(input.thread ? { metadata: { thread: input.thread } } : {}),
    });
    const keyContact = input.thread
      ? await upsertContact(tx, channel, input.thread.platformId, { seenAt: at, metadata: { kind: input.thread.kind } })
      : speaker;
    // The person asked the platform to delete their data after this message arrived: keep that the
    // message happened, not what it said (see data-deletion.ts).
    const erased = speaker.erasedAt !== null && speaker.erasedAt >= receivedAt;
    const conversation = await upsertConversation(tx, channel, keyContact, at);
    const replyToId = incoming.replyToPlatformId
      ? await messageIdByPlatformId(tx, channel.id, incoming.replyToPlatformId)
      : null;
    const appended = await appendMessage(
      tx,
      conversation,
      {
        role: "USER",
        kind: incoming.attachments.length > 0 ? "attachment" : "text",
        text: erased ? null : incoming.text,
        attachments: erased ? [] : incoming.attachments,
        payload: erased ? null : incoming.payload,
        status: "received",
        platformMessageId: incoming.platformMessageId,
        replyToId,
        senderContactId: input.thread ? speaker.id : null,
        metadata: {
          ...(input.inboundEventId ? { inboundEventId: input.inboundEventId } : {}),
          ...(standby ? { standby: true } : {}),
          ...(incoming.postback ? { postback: true } : {}),
          ...(incoming.sendMetadata ? { send: incoming.sendMetadata } : {}),
        },
        createdAt: at,
      },
      {
        ignoreDuplicate: true,
        set: {
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
        },
      },
    );
    const contactsSeen = keyContact === speaker ? [speaker] : [speaker, keyContact];
    if (!appended.message) return { contacts: contactsSeen, conversation, message: null, notes: [] };
    // Guardrails of step 2: profanity is flagged, a request for a person hands off before any bot reply.
    const checked = await checkInboundMessage(tx, appended.conversation ?? conversation, appended.message);
    return {
      contacts: contactsSeen,
      conversation: checked.conversation,
      message: checked.message,
      notes: checked.notes,
    };
  });

  const message =
    result.message ??
    (input.inboundEventId
      ? await replayOf(deps.db, channel.id, incoming.platformMessageId, input.inboundEventId)
      : null);
  if (!message) return null; // a duplicate delivery of a message stored earlier
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
  if (result.message) {
    const [speaker] = result.contacts;
    const names = message.senderContactId && speaker ? new Map([[speaker.id, speaker.name]]) : undefined;
    publishMessage(deps.realtime, channel.workspaceId, message, "new", names);
  }
  for (const note of result.notes) publishMessage(deps.realtime, channel.workspaceId, note);
  await inBackground(async () => {
    await publishConversation(deps.realtime, deps.db, channel.workspaceId, conversation.id);
    for (const contact of result.contacts) await fetchProfileOnce(deps, contact);
    // Media the platform keeps is fetched after the message is stored (once: the job id is per message).
    if (result.message && incoming.attachments.some((a) => a.contentRef)) {
      await deps.queue.enqueue(
        fetchMessageContent,
        { messageId: message.id },
        { jobId: `content:${message.id}`, workspaceId: channel.workspaceId },
      );
    }
    // With no bot reply coming (the bot's job checks after it answers), the summary is checked here,
    // so conversations people handle keep their memory for "draft with AI" — which needs a chatbot:
    // without one there is nothing to summarise for.
    if (!botReplies && conversation.chatbotId) await enqueueSummaryIfDue(deps, conversation.id);
  });
  return message;
}

/** The first message of a contact fetches its profile (once: the job id is per contact). */
export async function fetchProfileOnce(deps: Pick<AppJobDeps, "queue">, contact: ContactRow): Promise<void> {
  if (contact.profileFetchedAt || contact.erasedAt) return;
  await deps.queue.enqueue(
    fetchContactProfile,
    { contactId: contact.id },
    { jobId: `profile:${contact.id}`, workspaceId: contact.workspaceId },
  );
}

export async function messageIdByPlatformId(db: Db, channelId: string, platformId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.platformMessageId, platformId)))
    .limit(1);
  return row?.id ?? null;
}

/** The message this very event stored on an earlier attempt (so its follow-ups run again), else null. */
async function replayOf(db: Db, channelId: string, platformId: string, eventId: string): Promise<MessageRow | null> {
  const [row] = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.channelId, channelId),
        eq(messages.platformMessageId, platformId),
        sql`${messages.metadata}->>'inboundEventId' = ${eventId}`,
      ),
    )
    .limit(1);
  return row ?? null;
}
