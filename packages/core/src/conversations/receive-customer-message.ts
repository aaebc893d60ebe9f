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
import { type channels, contacts, conversations, type Db, inBackground, messages } from "@tandem/db";
import { and, eq, inArray, sql } from "drizzle-orm";
import type { AppJobDeps } from "../app-deps.ts";
import { type ChatbotRow, chatbotFor } from "../bots/chatbot-for.ts";
import { checkInboundMessage } from "../bots/check-inbound-message.ts";
import { generateBotReply } from "../bots/generate-bot-reply.ts";
import { enqueueSummariesIfDue } from "../bots/summarize-conversation.ts";
import type { InboundMessage, Party } from "../channels/adapter.ts";
import { fetchContactProfile } from "../contacts/fetch-contact-profile.ts";
import { upsertContact } from "../contacts/upsert-contact.ts";
import type { JobDefinition } from "../jobs/define-job.ts";
import type { EnqueueItem, JobQueue } from "../jobs/queue.ts";
import { fetchMessageContent } from "../messages/fetch-message-content.ts";
import { sendOutboundMessage } from "../messages/send-outbound-message.ts";
import { appendMessage, type NewMessage, previewOf } from "./append-message.ts";
import { autoAssignConversation } from "./auto-assign.ts";
import { publishConversations, publishMessage } from "./publish.ts";
import { upsertConversation, upsertConversations } from "./upsert-conversation.ts";

/** A customer writing after this long a silence starts a new session (the bot-reply count restarts). */
export const NEW_SESSION_AFTER_HOURS = 24;

type ChannelRow = Pick<typeof channels.$inferSelect, "id" | "workspaceId" | "chatbotId">;
type ContactRow = typeof contacts.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;
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
  /** Kept on the message (`metadata.client`): what a public API caller sent along with it. */
  clientMetadata?: Record<string, unknown> | undefined;
  /**
   * Who answers: `job` — the `generate-bot-reply` job, enqueued here (webhook channels); `caller` — the
   * caller, in its request (the public chat routes), which enqueues the job itself as a safety net.
   */
  botReply?: "job" | "caller";
}

export type ReceiveCustomerMessageDeps = Pick<AppJobDeps, "db" | "queue" | "realtime" | "log">;

/** Stores the message and starts what follows; returns it, or null for a duplicate of a stored one. */
export async function receiveCustomerMessage(
  deps: ReceiveCustomerMessageDeps,
  input: ReceiveCustomerMessageInput,
): Promise<MessageRow | null> {
  const [message] = await receiveCustomerMessages(deps, [input]);
  return message ?? null;
}

/**
 * Several customer messages (a burst of webhook events, of any channels) in one transaction, then
 * their follow-ups together: one `enqueueMany` per kind of job and one live update per conversation.
 * Each message gets exactly what `receiveCustomerMessage` gives it alone — the same rows, counters,
 * guardrails, bot-reply jobs and live events. They are stored conversation by conversation (in order
 * within each), so two batches lock conversations in the same order and never wait on each other in
 * a cycle. One failing message rolls the whole batch back: the caller retries them one by one.
 * Answers the messages in input order (null: a duplicate of one stored earlier).
 */
export async function receiveCustomerMessages(
  deps: ReceiveCustomerMessageDeps,
  inputs: ReceiveCustomerMessageInput[],
): Promise<(MessageRow | null)[]> {
  if (inputs.length === 0) return [];
  const order = inputs
    .map((input, index) => ({ input, index, key: conversationKey(input) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
  const stored = new Array<StoredCustomerMessage>(inputs.length);
  await deps.db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const batch = inputs.length > 1 ? await upsertParties(tx, inputs) : undefined;
    const ordered = order.map((o) => o.input);
    const together = batch ? await storeBatch(tx, ordered, batch) : null;
    for (const { input, index } of order)
      stored[index] = together?.get(input) ?? (await storeCustomerMessage(tx, input, batch));
  });
  const received: Received[] = [];
  for (const [index, result] of stored.entries()) {
    const input = inputs[index]!;
    const message =
      result.message ??
      (input.inboundEventId
        ? await replayOf(deps.db, input.channel.id, input.message.platformMessageId, input.inboundEventId)
        : null);
    // A duplicate delivery of a message stored earlier starts nothing.
    if (message) received.push({ input, result, message });
  }
  await followUp(deps, received);
  const byInput = new Map(received.map((r) => [r.input, r.message]));
  return inputs.map((input) => byInput.get(input) ?? null);
}

interface StoredCustomerMessage {
  contacts: ContactRow[];
  conversation: ConversationRow;
  /** Null when the message was stored before (a duplicate, or a replay of this very event). */
  message: MessageRow | null;
  notes: MessageRow[];
}

interface Received {
  input: ReceiveCustomerMessageInput;
  result: StoredCustomerMessage;
  message: MessageRow;
}

/** What orders a batch: one conversation per (channel, group or person). */
function conversationKey(input: ReceiveCustomerMessageInput): string {
  return `${input.channel.id}\u0000${(input.thread ?? input.from).platformId}`;
}

/** The platform's time, but never in our future (clock skew would misorder the thread). */
const notAfterNow = (at: Date) => new Date(Math.min(at.getTime(), Date.now()));

/** A batch's contacts and conversations, upserted together, then kept current message by message. */
interface BatchParties {
  contacts: Map<string, ContactRow>;
  conversations: Map<string, ConversationRow>;
  /** Guardrails are the chatbot's: looked up once per chatbot in a batch. */
  chatbots: Map<string, Promise<ChatbotRow | undefined>>;
}

const contactKey = (channelId: string, platformId: string) => `${channelId}\u0000${platformId}`;

/**
 * Every contact of a batch (speakers and groups) in one multi-row upsert — `last_seen_at` moved to
 * each one's latest message, `metadata` written only on creation, as `upsertContact` does — then
 * every conversation in another (`upsertConversation`'s rule, created with its first message's
 * time). Rows go in key order, so concurrent batches lock them in the same order.
 */
async function upsertParties(tx: Db, inputs: ReceiveCustomerMessageInput[]): Promise<BatchParties> {
  const people = new Map<string, typeof contacts.$inferInsert>();
  const see = (channel: ChannelRow, party: Party, at: Date, metadata?: Record<string, unknown>) => {
    const key = contactKey(channel.id, party.platformId);
    const seen = people.get(key);
    if (seen) seen.lastSeenAt = seen.lastSeenAt && seen.lastSeenAt > at ? seen.lastSeenAt : at;
    else
      people.set(key, {
        workspaceId: channel.workspaceId,
        channelId: channel.id,
        platformUserId: party.platformId,
        lastSeenAt: at,
        ...(metadata ? { metadata } : {}),
      });
  };
  for (const input of inputs) {
    const at = notAfterNow(input.message.at);
    // Where a person first spoke, when in a group: their profile may only be readable there.
    see(input.channel, input.from, at, input.thread ? { thread: input.thread } : undefined);
    if (input.thread) see(input.channel, input.thread, at, { kind: input.thread.kind });
  }
  const rows = await tx
    .insert(contacts)
    .values([...people].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, row]) => row))
    .onConflictDoUpdate({
      target: [contacts.channelId, contacts.platformUserId],
      set: { updatedAt: sql`now()`, lastSeenAt: sql`greatest(${contacts.lastSeenAt}, excluded.last_seen_at)` },
    })
    .returning();
  const byKey = new Map(rows.map((c) => [contactKey(c.channelId, c.platformUserId), c]));

  const threads = new Map<string, { channel: ChannelRow; contact: ContactRow; at: Date }>();
  for (const input of inputs) {
    const contact = byKey.get(contactKey(input.channel.id, (input.thread ?? input.from).platformId))!;
    if (!threads.has(contact.id))
      threads.set(contact.id, { channel: input.channel, contact, at: notAfterNow(input.message.at) });
  }
  const opened = await upsertConversations(
    tx,
    [...threads].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, thread]) => thread),
  );
  return {
    contacts: byKey,
    conversations: new Map(opened.flatMap((c) => (c.contactId ? [[c.contactId, c] as const] : []))),
    chatbots: new Map(),
  };
}

/** The row of a customer's message (`erased`: the person asked for their data to go, see data-deletion.ts). */
function messageValues(
  input: ReceiveCustomerMessageInput,
  parts: { speaker: ContactRow; erased: boolean; replyToId: string | null; at: Date },
): NewMessage {
  const { message: incoming } = input;
  const { erased } = parts;
  return {
    role: "USER",
    kind: incoming.attachments.length > 0 ? "attachment" : "text",
    text: erased ? null : incoming.text,
    attachments: erased ? [] : incoming.attachments,
    payload: erased ? null : incoming.payload,
    status: "received",
    platformMessageId: incoming.platformMessageId,
    replyToId: parts.replyToId,
    senderContactId: input.thread ? parts.speaker.id : null,
    metadata: {
      ...(input.inboundEventId ? { inboundEventId: input.inboundEventId } : {}),
      ...(input.standby ? { standby: true } : {}),
      ...(incoming.postback ? { postback: true } : {}),
      ...(incoming.sendMetadata ? { send: incoming.sendMetadata } : {}),
      ...(input.clientMetadata ? { client: input.clientMetadata } : {}),
    },
    createdAt: parts.at,
  };
}

/** What a new customer message does to its conversation besides the counters and the latest message. */
const NEW_MESSAGE_CHANGES = {
  // A new session — the conversation was closed, or quiet for a day — starts a new count of bot
  // replies in a row (the right-hand side reads the values before this update).
  consecutiveBotReplies: sql`case when ${conversations.status} = 'CLOSED'
    or ${conversations.lastMessageAt} < now() - make_interval(hours => ${NEW_SESSION_AFTER_HOURS})
    then 0 else ${conversations.consecutiveBotReplies} end`,
  // A new message reopens a closed or snoozed conversation: one continuous thread per customer.
  status: "OPEN" as const,
  snoozedUntil: null,
};

/**
 * A batch's messages in one multi-row insert (a platform id stored before inserts nothing, as with
 * `appendMessage`'s `ignoreDuplicate`), then every conversation they land in with one update: the
 * unread count up by its new messages, `last_inbound_at` and the latest message moved by
 * `appendMessage`'s rule — applied message by message, that rule leaves the preview of the last of
 * the most recent messages, if it is at least as recent as the conversation's latest — and the new
 * session rule, which gives the same for one message or several. Then the guardrails, message by
 * message in order. Null when a message replies to another of the same batch (it must be stored
 * first): the caller stores that batch message by message.
 */
async function storeBatch(
  tx: Db,
  ordered: ReceiveCustomerMessageInput[],
  batch: BatchParties,
): Promise<Map<ReceiveCustomerMessageInput, StoredCustomerMessage> | null> {
  const inBatch = new Set(ordered.map((i) => contactKey(i.channel.id, i.message.platformMessageId)));
  if (
    ordered.some(
      (i) => i.message.replyToPlatformId && inBatch.has(contactKey(i.channel.id, i.message.replyToPlatformId)),
    )
  )
    return null;
  const parts = [];
  for (const input of ordered) {
    const speaker = batch.contacts.get(contactKey(input.channel.id, input.from.platformId));
    const keyContact = input.thread
      ? batch.contacts.get(contactKey(input.channel.id, input.thread.platformId))
      : speaker;
    const conversation = keyContact && batch.conversations.get(keyContact.id);
    if (!speaker || !keyContact || !conversation) return null;
    const receivedAt = input.receivedAt ?? new Date();
    const erased = speaker.erasedAt !== null && speaker.erasedAt >= receivedAt;
    const replyToId = input.message.replyToPlatformId
      ? await messageIdByPlatformId(tx, input.channel.id, input.message.replyToPlatformId)
      : null;
    parts.push({
      input,
      speaker,
      keyContact,
      conversation,
      values: messageValues(input, { speaker, erased, replyToId, at: notAfterNow(input.message.at) }),
    });
  }
  const inserted = await tx
    .insert(messages)
    .values(
      parts.map(({ conversation, values }) => ({
        ...values,
        workspaceId: conversation.workspaceId,
        conversationId: conversation.id,
        channelId: conversation.channelId,
      })),
    )
    .onConflictDoNothing({ target: [messages.channelId, messages.platformMessageId] })
    .returning();
  // Two deliveries of one message in the batch: the first one in order is the one inserted.
  const unclaimed = new Map(inserted.map((m) => [contactKey(m.channelId ?? "", m.platformMessageId ?? ""), m]));
  const newMessages = parts.map((p) => {
    const key = contactKey(p.input.channel.id, p.input.message.platformMessageId);
    const message = unclaimed.get(key) ?? null;
    unclaimed.delete(key);
    return message;
  });

  const changes = new Map<string, { n: number; at: string; preview: string | null }>();
  for (const message of newMessages) {
    if (!message) continue;
    const change = changes.get(message.conversationId);
    const at = message.createdAt.toISOString();
    const preview = previewOf(message.text, message.attachments);
    if (!change) changes.set(message.conversationId, { n: 1, at, preview });
    else {
      change.n++;
      if (message.createdAt.getTime() >= new Date(change.at).getTime()) Object.assign(change, { at, preview });
    }
  }
  if (changes.size > 0) {
    const byId = JSON.stringify(Object.fromEntries(changes));
    const field = (name: string) => sql`(${byId}::jsonb -> ${conversations.id} ->> ${name})`;
    const latestAt = sql`${field("at")}::timestamptz`;
    const updated = await tx
      .update(conversations)
      .set({
        lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${latestAt})`,
        lastMessagePreview: sql`case when ${latestAt} >= ${conversations.lastMessageAt} then ${field("preview")}
          else ${conversations.lastMessagePreview} end`,
        lastInboundAt: sql`greatest(${conversations.lastInboundAt}, ${latestAt})`,
        unreadCount: sql`${conversations.unreadCount} + ${field("n")}::int`,
        ...NEW_MESSAGE_CHANGES,
      })
      .where(inArray(conversations.id, [...changes.keys()]))
      .returning();
    for (const conversation of updated)
      if (conversation.contactId) batch.conversations.set(conversation.contactId, conversation);
  }

  const stored = new Map<ReceiveCustomerMessageInput, StoredCustomerMessage>();
  for (const [i, { input, speaker, keyContact }] of parts.entries()) {
    const contactsSeen = keyContact === speaker ? [speaker] : [speaker, keyContact];
    const conversation = batch.conversations.get(keyContact.id)!;
    const message = newMessages[i];
    if (!message) {
      stored.set(input, { contacts: contactsSeen, conversation, message: null, notes: [] });
      continue;
    }
    // Guardrails of step 2, in order: a handoff turns the bot off for the conversation's next messages.
    const checked = await checkInboundMessage(tx, conversation, message, {
      chatbotFor: (of) => cachedChatbot(tx, batch, of),
    });
    batch.conversations.set(keyContact.id, checked.conversation);
    stored.set(input, {
      contacts: contactsSeen,
      conversation: checked.conversation,
      message: checked.message,
      notes: checked.notes,
    });
  }
  return stored;
}

/** Contact and conversation upsert, the idempotent insert and the guardrails, in the caller's transaction. */
async function storeCustomerMessage(
  tx: Db,
  input: ReceiveCustomerMessageInput,
  batch?: BatchParties,
): Promise<StoredCustomerMessage> {
  const { channel, message: incoming } = input;
  const at = notAfterNow(incoming.at);
  const receivedAt = input.receivedAt ?? new Date();
  const speaker =
    batch?.contacts.get(contactKey(channel.id, input.from.platformId)) ??
    (await upsertContact(tx, channel, input.from.platformId, {
      seenAt: at,
      // Where a person first spoke, when in a group: their profile may only be readable there.
      ...(input.thread ? { metadata: { thread: input.thread } } : {}),
    }));
  const keyContact = !input.thread
    ? speaker
    : (batch?.contacts.get(contactKey(channel.id, input.thread.platformId)) ??
      (await upsertContact(tx, channel, input.thread.platformId, {
        seenAt: at,
        metadata: { kind: input.thread.kind },
      })));
  // The person asked the platform to delete their data after this message arrived: keep that the
  // message happened, not what it said (see data-deletion.ts).
  const erased = speaker.erasedAt !== null && speaker.erasedAt >= receivedAt;
  const conversation =
    batch?.conversations.get(keyContact.id) ?? (await upsertConversation(tx, channel, keyContact, at));
  const replyToId = incoming.replyToPlatformId
    ? await messageIdByPlatformId(tx, channel.id, incoming.replyToPlatformId)
    : null;
  const appended = await appendMessage(tx, conversation, messageValues(input, { speaker, erased, replyToId, at }), {
    ignoreDuplicate: true,
    set: {
      lastInboundAt: sql`greatest(${conversations.lastInboundAt}, ${at.toISOString()}::timestamptz)`,
      unreadCount: sql`${conversations.unreadCount} + 1`,
      ...NEW_MESSAGE_CHANGES,
    },
  });
  const contactsSeen = keyContact === speaker ? [speaker] : [speaker, keyContact];
  if (!appended.message) return { contacts: contactsSeen, conversation, message: null, notes: [] };
  // Guardrails of step 2: profanity is flagged, a request for a person hands off before any bot reply.
  const checked = await checkInboundMessage(tx, appended.conversation ?? conversation, appended.message, {
    ...(batch ? { chatbotFor: (of) => cachedChatbot(tx, batch, of) } : {}),
  });
  // The next message of this conversation in the batch starts from its state now.
  batch?.conversations.set(keyContact.id, checked.conversation);
  return { contacts: contactsSeen, conversation: checked.conversation, message: checked.message, notes: checked.notes };
}

function cachedChatbot(tx: Db, batch: BatchParties, of: Pick<ConversationRow, "workspaceId" | "chatbotId">) {
  const key = `${of.workspaceId}:${of.chatbotId ?? ""}`;
  let found = batch.chatbots.get(key);
  if (!found) {
    found = chatbotFor(tx, of);
    batch.chatbots.set(key, found);
  }
  return found;
}

/**
 * After the commit: the bot replies first (the embedded queue starts a lone one as it is enqueued),
 * then the live events, then — behind the pipeline — one live update per conversation, the profile
 * fetches, media content and summary checks.
 */
async function followUp(deps: ReceiveCustomerMessageDeps, received: Received[]): Promise<void> {
  if (received.length === 0) return;
  const answered = (r: Received) =>
    !(r.input.standby ?? false) && r.result.conversation.autoBot && r.result.conversation.chatbotId !== null;
  await enqueueAll(
    deps.queue,
    generateBotReply,
    received
      .filter((r) => answered(r) && r.input.botReply !== "caller")
      .map(({ input, result, message }) => ({
        payload: { conversationId: result.conversation.id, triggerMessageId: message.id, mode: "auto" as const },
        jobId: `bot-reply:${message.id}`,
        workspaceId: input.channel.workspaceId,
      })),
  );
  // A handoff at ingestion may have written what the customer is told (`handOffConversation`): sent like any bot answer.
  await enqueueAll(
    deps.queue,
    sendOutboundMessage,
    received.flatMap(({ input, result }) =>
      result.notes
        .filter((row) => row.role === "BOT" && row.status === "queued")
        .map((row) => ({
          payload: { messageId: row.id },
          jobId: `send:${row.id}`,
          workspaceId: input.channel.workspaceId,
        })),
    ),
  );
  for (const { input, result, message } of received) {
    if (result.message) {
      const [speaker] = result.contacts;
      const names = message.senderContactId && speaker ? new Map([[speaker.id, speaker.name]]) : undefined;
      publishMessage(deps.realtime, input.channel.workspaceId, message, "new", names);
    }
    for (const note of result.notes) publishMessage(deps.realtime, input.channel.workspaceId, note);
  }
  // A conversation that waits for a person (no bot answers it) gets one, when the workspace assigns
  // round-robin; before the live update below, which then shows the assignee.
  const waiting = new Map<string, ConversationRow>();
  for (const { result } of received) {
    const conversation = result.conversation;
    if (result.message && !conversation.autoBot && conversation.assigneeId === null)
      waiting.set(conversation.id, conversation);
  }
  for (const conversation of waiting.values()) await autoAssignConversation(deps.db, conversation);
  await inBackground(async () => {
    // The latest state of each conversation, once.
    const latest = new Map<string, Received>();
    for (const r of received) latest.set(r.result.conversation.id, r);
    const byWorkspace = new Map<string, string[]>();
    for (const [id, r] of latest) {
      const ids = byWorkspace.get(r.input.channel.workspaceId) ?? [];
      byWorkspace.set(r.input.channel.workspaceId, [...ids, id]);
    }
    for (const [workspaceId, ids] of byWorkspace) await publishConversations(deps.realtime, deps.db, workspaceId, ids);

    const contactsToFetch = new Map<string, ContactRow>();
    for (const r of received)
      for (const contact of r.result.contacts)
        if (!contact.profileFetchedAt && !contact.erasedAt) contactsToFetch.set(contact.id, contact);
    await enqueueAll(
      deps.queue,
      fetchContactProfile,
      [...contactsToFetch.values()].map((contact) => ({
        payload: { contactId: contact.id },
        jobId: `profile:${contact.id}`,
        workspaceId: contact.workspaceId,
      })),
    );
    // Media the platform keeps is fetched after the message is stored (once: the job id is per message).
    await enqueueAll(
      deps.queue,
      fetchMessageContent,
      received
        .filter((r) => r.result.message && r.input.message.attachments.some((a) => a.contentRef))
        .map(({ input, message }) => ({
          payload: { messageId: message.id },
          jobId: `content:${message.id}`,
          workspaceId: input.channel.workspaceId,
        })),
    );
    // With no bot reply coming (the bot's job checks after it answers), the summary is checked here,
    // so conversations people handle keep their memory for "draft with AI" — which needs a chatbot:
    // without one there is nothing to summarise for.
    const summaries = new Set(
      received.filter((r) => !answered(r) && r.result.conversation.chatbotId).map((r) => r.result.conversation.id),
    );
    await enqueueSummariesIfDue(deps, [...summaries]);
  });
}

/** One job alone goes through `enqueue` (the embedded queue may start it at once); more in one `enqueueMany`. */
async function enqueueAll<TPayload, TInput>(
  queue: JobQueue,
  // biome-ignore lint/suspicious/noExplicitAny: producers need not know the handler's deps
  def: JobDefinition<TPayload, any, TInput>,
  items: EnqueueItem<TInput>[],
): Promise<void> {
  const [only] = items;
  if (items.length === 1 && only) {
    await queue.enqueue(def, only.payload, {
      ...(only.jobId ? { jobId: only.jobId } : {}),
      ...(only.workspaceId ? { workspaceId: only.workspaceId } : {}),
    });
  } else if (items.length > 1) await queue.enqueueMany(def, items);
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
