import { WIDGET_SOCKET } from "@tandem/contracts";
import { channels, contacts, conversations, messages } from "@tandem/db";
import { and, eq, inArray, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { chatbotFor } from "../bots/chatbot-for.ts";
import type { ChannelAdapter } from "../channels/adapter.ts";
import { markReconnectNeeded } from "../channels/mark-reconnect-needed.ts";
import { cardsForChannel } from "../channels/product-cards.ts";
import { recordChatbotError } from "../chatbot-health/record-chatbot-error.ts";
import { publishMessage } from "../conversations/publish.ts";
import { messageColumns } from "../conversations/to-dto.ts";
import { isDomainError } from "../errors.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { isRetryable, RetryableError } from "../jobs/errors.ts";
import { outboundMedia } from "../media/outbound-media.ts";
import { publicMessageOf } from "../public-chat/public-message.ts";

/**
 * Step 4 of the pipeline: one AGENT or BOT message to the customer through its channel.
 *
 * - Idempotent: a message already `sent` / `delivered` / `read` is left alone; the ids of parts that
 *   went out are saved after each part (`metadata.platformMessageIds`), so a retry continues with the
 *   next part instead of repeating the first.
 * - Channel rules come from the channel's adapter (`capabilities.replyWindow`; Messenger: 24 h window,
 *   `HUMAN_AGENT` tag, split at 2000 characters). A message the rules refuse fails at once with
 *   `outside_messaging_window`; nothing is sent. Then, by the adapter's delivery mode: `push` — the
 *   adapter's `send`; `realtime` — the message as the customer sees it (`PublicMessageDto`) is
 *   published to the adapter's `realtimeRoom` (the widget session), which is the delivery;
 *   `response` — the caller's HTTP response carried it (public API): no call. Either way the message
 *   ends `sent`. (The typing indicator of a bot reply is shown earlier, when the bot starts
 *   composing: `showTyping` in generate-bot-reply and reply as bot.)
 * - Per-workspace rate limit on outbound sends, then the platform. Transient failures (Graph codes 1,
 *   2, 4, 17, 32, 613, HTTP 5xx, network, our own limit) are retried with backoff; the last attempt, or
 *   a permanent refusal, sets `failed` with a code and the platform's reason, shown in the inbox
 *   (`adapter.classifyError`). A dead token (Graph 190) also marks the channel "reconnect needed".
 *   Every final failure is recorded for the chatbot's health too (`chatbot_error`, kind `send`).
 */
export const OUTBOUND_RATE_LIMIT = { limit: 50, windowMs: 1_000 };

type MessageRow = Omit<typeof messages.$inferSelect, "search">;
type Failure = { code: string; message: string };

const DONE = new Set(["sent", "delivered", "read"]);
const SENDABLE = ["queued", "sending", "failed"] as const;
/** The customer message a reply answers (its `replyToId`): LINE's reply token lives in its metadata. */
const answering = alias(messages, "answering");

export const sendOutboundMessage = defineJob({
  name: "send-outbound-message",
  schema: z.object({ messageId: z.string().min(1) }),
  retry: { attempts: 5, backoff: { baseMs: 2_000, maxMs: 60_000 } },
  // Sends wait on the platform's API: many at a time, at most four per workspace, so one slow Page
  // or one workspace's burst of sends does not hold up the others.
  concurrency: 16,
  workspaceConcurrency: 4,
  handle: async ({ messageId }, ctx: JobContext<AppJobDeps>) => {
    // The message with its conversation, contact and channel, in one read.
    const [row] = await ctx.db
      .select({
        message: messageColumns,
        conversation: { id: conversations.id, lastInboundAt: conversations.lastInboundAt },
        contact: { platformUserId: contacts.platformUserId },
        channel: {
          id: channels.id,
          type: channels.type,
          name: channels.name,
          externalId: channels.externalId,
          secretsEncrypted: channels.secretsEncrypted,
          status: channels.status,
          statusReason: channels.statusReason,
          disconnectedAt: channels.disconnectedAt,
        },
        answering: {
          platformMessageId: answering.platformMessageId,
          metadata: answering.metadata,
          createdAt: answering.createdAt,
          answered: sql<boolean>`exists (select 1 from ${messages} other where other.reply_to_id = ${answering.id}
            and other.id <> ${messages.id} and other.status in ('sent', 'delivered', 'read'))`,
        },
      })
      .from(messages)
      .innerJoin(
        conversations,
        and(eq(conversations.id, messages.conversationId), eq(conversations.workspaceId, messages.workspaceId)),
      )
      .leftJoin(contacts, eq(contacts.id, conversations.contactId))
      .leftJoin(channels, eq(channels.id, conversations.channelId))
      .leftJoin(answering, eq(answering.id, messages.replyToId))
      .where(eq(messages.id, messageId))
      .limit(1);
    const message = row?.message;
    if (!message) return ctx.log.warn({ messageId }, "outbound message no longer exists");
    if (DONE.has(message.status)) return ctx.log.debug({ messageId }, "message already sent");
    if (
      (message.role !== "AGENT" && message.role !== "BOT") ||
      message.kind === "note" ||
      !(SENDABLE as readonly string[]).includes(message.status)
    ) {
      return ctx.log.warn({ messageId, role: message.role, status: message.status }, "message is not for sending");
    }
    const role = message.role;
    const finalAttempt = ctx.attempt >= ctx.maxAttempts;

    const channel = row?.channel;
    const contact = row?.contact;
    if (!row || !channel || !contact) {
      return fail(ctx, message, {
        code: "channel_not_supported",
        message: "This conversation has no channel to send to.",
      });
    }
    const adapter = ctx.channels.find(channel.type);
    if (!adapter || (adapter.capabilities.delivery === "push" && !adapter.send)) {
      return fail(ctx, message, {
        code: "channel_not_supported",
        message: `Sending on ${channel.type} channels is not supported yet.`,
      });
    }
    if (channel.disconnectedAt) {
      return fail(ctx, message, { code: "channel_disconnected", message: `${channel.name} is disconnected.` });
    }
    if (channel.status === "reconnect_needed") {
      return fail(ctx, message, {
        code: "token_expired",
        message: `${channel.name} needs to be reconnected: ${channel.statusReason ?? "the platform rejected its token."}`,
      });
    }

    const window = adapter.capabilities.replyWindow(role, row.conversation.lastInboundAt, new Date());
    if (!window.allowed) return fail(ctx, message, { code: "outside_messaging_window", message: window.reason });

    const limit = await ctx.limiter.hit(`outbound:${message.workspaceId}`, OUTBOUND_RATE_LIMIT);
    if (!limit.allowed) {
      const reason = "Too many messages sent by this workspace right now.";
      if (finalAttempt) return fail(ctx, message, { code: "rate_limited", message: reason });
      throw new RetryableError(reason, { retryAfterMs: limit.retryAfterSeconds * 1000 });
    }

    if (adapter.capabilities.delivery === "push") {
      await push(ctx, adapter, { ...row, message, channel, contact }, window.how, finalAttempt);
    }

    const [sent] = await ctx.db
      .update(messages)
      .set({ status: "sent", sentAt: new Date(), errorCode: null, errorMessage: null })
      .where(eq(messages.id, message.id))
      .returning(messageColumns);
    if (!sent) return;
    publishMessage(ctx.realtime, sent.workspaceId, sent, "updated");
    // `realtime`: the live event to the customer's own connection is the delivery.
    const room =
      adapter.capabilities.delivery === "realtime" ? adapter.realtimeRoom?.(channel, contact.platformUserId) : null;
    const dto = room ? await publicMessageOf(ctx.db, sent.id) : null;
    if (room && dto) ctx.realtime.emit(room, WIDGET_SOCKET.events.message, dto);
  },
});

type Loaded = {
  message: MessageRow;
  conversation: { id: string; lastInboundAt: Date | null };
  contact: { platformUserId: string };
  channel: Parameters<NonNullable<ChannelAdapter["send"]>>[0]["channel"];
  answering: {
    platformMessageId: string | null;
    metadata: Record<string, unknown>;
    createdAt: Date;
    answered: boolean;
  } | null;
};

/**
 * The platform call, part by part. `sending` is written while the first part is on its way: the
 * customer does not wait for the bookkeeping. Every later write (sent ids, sent, failed) waits for it.
 */
async function push(
  ctx: JobContext<AppJobDeps>,
  adapter: ChannelAdapter,
  { message, conversation, contact, channel, answering }: Loaded,
  how: Parameters<NonNullable<ChannelAdapter["send"]>>[0]["how"],
  finalAttempt: boolean,
): Promise<void> {
  const marking = markSending(ctx, message);
  // Handled here so a failure before anyone awaits it is not an unhandled rejection; the awaits
  // below still see it.
  marking.catch(() => undefined);
  const sentIds = platformIdsOf(message);
  try {
    await adapter.send!({
      channel,
      contact,
      conversation,
      message: {
        id: message.id,
        role: message.role as "AGENT" | "BOT",
        text: message.text,
        attachments: message.attachments,
        // Shown as cards where the channel can; elsewhere the text alone names the products.
        productCards: cardsForChannel(adapter.capabilities.cards, message.productCards),
      },
      // What the answered message's adapter kept for sending (`InboundMessage.sendMetadata`).
      answering: answering?.createdAt ? { ...answering, metadata: sendMetadataOf(answering.metadata) } : null,
      how,
      alreadySent: sentIds.length,
      onPartSent: async (id) => {
        sentIds.push(id);
        await marking;
        await saveSentIds(ctx, message.id, sentIds);
      },
      media: outboundMedia(ctx.config, message.workspaceId),
    });
    await marking;
  } catch (error) {
    await marking.catch(() => undefined);
    const classified = adapter.classifyError(error);
    if (classified?.tokenExpired) await markReconnectNeeded(ctx.db, channel.id, classified.reason);
    if ((classified ? classified.retryable : isRetryable(error)) && !finalAttempt) {
      ctx.log.info({ err: error, messageId: message.id }, "send failed; will retry");
      throw error;
    }
    await fail(ctx, message, failureOf(error, classified));
    throw error;
  }
}

const sendMetadataOf = (metadata: Record<string, unknown>): Record<string, unknown> =>
  metadata.send && typeof metadata.send === "object" ? (metadata.send as Record<string, unknown>) : {};

/** One entry per part already sent, in order: its id, or `null` when the Send API gave none. */
const platformIdsOf = (m: MessageRow): (string | null)[] => {
  const ids = m.metadata.platformMessageIds;
  return Array.isArray(ids) ? ids.filter((id): id is string | null => typeof id === "string" || id === null) : [];
};

/** `sending`, one more attempt; published when the status changes. */
async function markSending(ctx: JobContext<AppJobDeps>, message: MessageRow): Promise<MessageRow> {
  const [row] = await ctx.db
    .update(messages)
    .set({ status: "sending", attempts: sql`${messages.attempts} + 1` })
    .where(and(eq(messages.id, message.id), inArray(messages.status, [...SENDABLE])))
    .returning(messageColumns);
  if (!row) return message;
  if (message.status !== "sending") publishMessage(ctx.realtime, row.workspaceId, row, "updated");
  return row;
}

/**
 * The first part's id is the message's platform id (delivery, read and echo events match on it); every
 * part's id is in `metadata.platformMessageIds`, `null` for a part the Send API answered without one
 * (it still counts as sent). Saved after each part, before the next goes out.
 */
async function saveSentIds(ctx: JobContext<AppJobDeps>, messageId: string, ids: (string | null)[]): Promise<void> {
  const metadata = sql`${messages.metadata} || ${JSON.stringify({ platformMessageIds: ids })}::jsonb`;
  try {
    await ctx.db
      .update(messages)
      .set({ platformMessageId: ids[0] ?? null, metadata })
      .where(eq(messages.id, messageId));
  } catch (error) {
    // An echo of this very send was stored first under the same id (unique per channel): keep the ids in metadata.
    const code =
      (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
    if (code !== "23505") throw error;
    ctx.log.warn({ messageId, platformMessageId: ids[0] }, "platform message id already stored on another message");
    await ctx.db.update(messages).set({ metadata }).where(eq(messages.id, messageId));
  }
}

async function fail(ctx: JobContext<AppJobDeps>, message: MessageRow, failure: Failure): Promise<void> {
  ctx.log.info({ messageId: message.id, code: failure.code }, "outbound message failed");
  const [row] = await ctx.db
    .update(messages)
    .set({ status: "failed", errorCode: failure.code, errorMessage: failure.message.slice(0, 2000) })
    .where(eq(messages.id, message.id))
    .returning(messageColumns);
  if (row) publishMessage(ctx.realtime, row.workspaceId, row, "updated");
  await recordSendError(ctx, message, failure);
}

/**
 * The failed send in the chatbot's health record: the chatbot that serves the conversation (its own,
 * else the workspace's default, as for its replies); null when none does. Read only on this rare path.
 */
async function recordSendError(ctx: JobContext<AppJobDeps>, message: MessageRow, failure: Failure): Promise<void> {
  try {
    const [conversation] = await ctx.db
      .select({ workspaceId: conversations.workspaceId, chatbotId: conversations.chatbotId })
      .from(conversations)
      .where(eq(conversations.id, message.conversationId))
      .limit(1);
    const chatbot = conversation ? await chatbotFor(ctx.db, conversation) : undefined;
    await recordChatbotError(
      ctx.db,
      {
        workspaceId: message.workspaceId,
        chatbotId: chatbot?.id ?? null,
        kind: "send",
        code: failure.code,
        message: failure.message,
        channelId: message.channelId,
        conversationId: message.conversationId,
        messageId: message.id,
      },
      ctx.log,
    );
  } catch (err) {
    ctx.log.warn({ err, messageId: message.id }, "could not record the failed send");
  }
}

/** A readable reason for the inbox: the platform's own words, with a code the UI can branch on. */
function failureOf(error: unknown, classified: ReturnType<ChannelAdapter["classifyError"]>): Failure {
  if (classified) return { code: classified.code, message: classified.reason };
  if (isDomainError(error)) return { code: error.code, message: error.message };
  return { code: "send_failed", message: "Sending failed because of an internal error; it is in the server log." };
}
