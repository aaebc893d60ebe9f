import type { MessageDto, SendMessageInput } from "@tandem/contracts";
import { channels, conversations, inBackground, messages } from "@tandem/db";
import { and, desc, eq, ne, sql } from "drizzle-orm";
import { runAfterResponse } from "../background-tasks.ts";
import { composeForAgent } from "../bots/draft-bot-reply.ts";
import { recordBotDraft, recordBotReply } from "../bots/record-bot-reply.ts";
import { enqueueSummaryIfDue } from "../bots/summarize-conversation.ts";
import type { ChannelType } from "../channels/adapter.ts";
import { channelCapabilities } from "../channels/registry.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { appendMessage } from "../conversations/append-message.ts";
import { getConversationInWorkspace } from "../conversations/get-conversation-in-workspace.ts";
import { inInbox } from "../conversations/in-inbox.ts";
import { emitConversation, emitMessage } from "../conversations/notify.ts";
import { loadConversationDtos, messageToDto } from "../conversations/to-dto.ts";
import { DomainError } from "../errors.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { channelAttachments } from "../media/attachment-rules.ts";
import { attachmentsForReply, markAttachmentsSent } from "../media/claim-attachments.ts";
import { assertActorCan } from "../members/guard.ts";
import { notifyMentions, resolveMentions } from "../notifications/notify-mentions.ts";
import type { ProviderDeps } from "../providers/provider-deps.ts";
import { assignOnReplySql } from "../workspaces/inbox-settings.ts";
import { sendOutboundMessage } from "./send-outbound-message.ts";

type MessageRow = typeof messages.$inferSelect;

/**
 * The composer's send:
 * - `internal: true` — an internal note (AGENT, kind `note`): stored and shown to agents, never sent;
 *   the members it @mentions (`mentions`) are kept in its metadata and notified (notifications/).
 * - `sendAs: "AGENT"` — the agent's reply, with the files uploaded for it (`attachments`, checked by
 *   `attachmentsForReply`; text optional then): stored `queued` together with the conversation's
 *   `human_replied_at` (the bot stays silent until auto-bot is switched on again), then handed to
 *   `send-outbound-message`, which applies the channel's rules and moves the status on.
 * - `sendAs: "BOT"` — "reply as bot": the bot writes one reply now, in this request, with the
 *   chatbot's provider (`composeForAgent`), and it is stored `queued` and sent like any bot reply —
 *   with provider, model, usage, latency, prompt version and sources, the model's draft kept in its
 *   metadata. Auto-bot and the "an agent replied" silence are left as they are. When the bot has no
 *   answer, or the provider fails, the agent gets the error (nothing is stored, nothing handed off).
 * Messenger replies that the platform would refuse anyway are refused here, so the composer can say
 * why: AGENT beyond 7 days after the customer's last message, BOT beyond 24 hours.
 */
export async function sendAgentMessage(
  ctx: Ctx,
  conversationId: string,
  input: SendMessageInput,
  deps?: ProviderDeps,
): Promise<MessageDto> {
  assertActorCan(ctx, "conversations.work");
  const memberId = ctx.actor.type === "system" ? null : ctx.actor.memberId;
  if (input.internal && input.sendAs === "BOT") {
    throw new DomainError("invalid_input", "An internal note is written by an agent, not sent as the bot");
  }
  if (input.sendAs === "BOT" && input.text) {
    throw new DomainError("invalid_input", "Reply as bot writes its own text: send edited text as AGENT", {
      details: [{ path: "text", message: "Not allowed with sendAs BOT" }],
    });
  }
  const attaching = (input.attachments?.length ?? 0) > 0;
  if (attaching && (input.internal || input.sendAs === "BOT")) {
    throw new DomainError(
      "invalid_input",
      "Files go with an agent's reply to the customer, not with a note or the bot's reply",
      {
        details: [{ path: "attachments", message: "Only with an agent reply" }],
      },
    );
  }
  if (input.sendAs === "AGENT" && !input.text && !attaching) {
    throw new DomainError("invalid_input", "The message is empty", {
      details: [{ path: "text", message: "Required" }],
    });
  }

  if (input.mentions?.length && !input.internal) {
    throw new DomainError("invalid_input", "Teammates can be mentioned in internal notes only", {
      details: [{ path: "mentions", message: "Only with internal: true" }],
    });
  }

  if (input.internal) {
    const note = await withTransaction(ctx, async (tx) => {
      const conversation = await getConversationInWorkspace(tx, conversationId);
      const mentions = await resolveMentions(tx, input.mentions ?? []);
      const { message } = await appendMessage(tx.db, conversation, {
        role: "AGENT",
        kind: "note",
        status: "sent",
        text: input.text!,
        authorMemberId: memberId,
        metadata: mentions.length > 0 ? { mentions } : {},
      });
      await notifyMentions(tx, message!, mentions, memberId);
      return message!;
    });
    return published(ctx, note);
  }

  const queue = requireQueue(ctx);
  if (input.sendAs === "BOT") return replyAsBot(ctx, queue, conversationId, memberId, deps);

  const dataDir = deps?.config.dataDir;
  if (attaching && !dataDir) throw new Error("sending files needs DATA_DIR (deps.config.dataDir)");
  const message = await withTransaction(ctx, async (tx) => {
    const conversation = await conversationWithChannel(tx, conversationId, { lock: true });
    assertInsideWindow(conversation, "AGENT");
    const fromDraft = input.draftId ? await draftOf(tx, conversation.id, input.draftId) : null;
    const attachments = attaching
      ? await attachmentsForReply(
          dataDir!,
          {
            workspaceId: ctx.workspaceId,
            conversationId: conversation.id,
            maxFiles: conversation.channelType ? channelAttachments(conversation.channelType).maxFiles : 0,
            channelName: conversation.channelName ?? "this conversation",
          },
          input.attachments!,
        )
      : [];
    const { message: inserted } = await appendMessage(
      tx.db,
      { id: conversation.id, workspaceId: ctx.workspaceId, channelId: conversation.channelId },
      {
        role: "AGENT",
        kind: input.text ? "text" : "attachment",
        status: "queued",
        text: input.text ?? null,
        attachments,
        authorMemberId: memberId,
        metadata: fromDraft ? { draftId: fromDraft.id, draftEdited: fromDraft.text !== input.text } : {},
      },
      {
        set: {
          // now() is the transaction's start, the message's created_at too.
          humanRepliedAt: sql`now()`,
          // Replying means the agent has read the thread; the reply also ends a run of bot messages.
          unreadCount: 0,
          consecutiveBotReplies: 0,
          // A human took over: the bot stays silent until someone switches auto-bot on again (brief §2).
          autoBot: false,
          // …and the customer no longer waits for a person: "needs human" is answered.
          needsHuman: false,
          // Whoever answers an unassigned conversation owns it, where the workspace wants that.
          assigneeId: sql`coalesce(${conversations.assigneeId}, case when ${assignOnReplySql(ctx.workspaceId)} then ${memberId}::text end)`,
        },
      },
    );
    return inserted!;
  });
  // Kept from now on, and sent by this message only (after the commit: a rolled-back reply leaves them free).
  if (dataDir) await markAttachmentsSent(dataDir, ctx.workspaceId, message.attachments, message.id);
  // After the commit, so the job finds the row.
  await enqueueSend(ctx, queue, message, `send:${message.id}`);
  // Memory covers conversations people answer too: "draft with AI" reads the summary there.
  runAfterResponse(ctx.log, `summary check (${conversationId})`, () =>
    inBackground(() => enqueueSummaryIfDue({ db: ctx.db, queue }, conversationId)),
  );
  return published(ctx, message);
}

async function replyAsBot(
  ctx: Ctx,
  queue: JobQueue,
  conversationId: string,
  memberId: string | null,
  deps: ProviderDeps | undefined,
): Promise<MessageDto> {
  if (!deps) throw new Error("reply as bot needs the provider deps (keyring, config)");
  // Composed outside any transaction: the provider may take seconds.
  const { found, composed, text } = await composeForAgent(ctx, conversationId, deps, {
    check: ({ conversation, channel }) =>
      assertInsideWindow({ channelType: channel?.type ?? null, lastInboundAt: conversation.lastInboundAt }, "BOT"),
    typing: true,
  });
  const meta = { mode: "manual", ...(memberId ? { requestedByMemberId: memberId } : {}) };
  await refuseRepeat(ctx, found.conversation.id, text);
  // The draft and the final are both kept (seed S0): the model's words, and what goes out.
  const message = await withTransaction(ctx, async (tx) => {
    const draft = await recordBotDraft(tx.db, found.conversation, { text, composed, meta });
    return recordBotReply(tx.db, found.conversation, { text, composed, meta: { ...meta, draftId: draft.id } });
  });
  if (message.status === "queued") await enqueueSend(ctx, queue, message, `send:${message.id}`);
  const dto = messageToDto(message);
  emitMessage(ctx, dto);
  // The agent has the answer; the list's update and the summary check follow, behind the send.
  runAfterResponse(ctx.log, `reply as bot's bookkeeping (${conversationId})`, () =>
    inBackground(async () => {
      await emitConversationOf(ctx, conversationId);
      await enqueueSummaryIfDue({ db: ctx.db, queue }, conversationId);
    }),
  );
  return dto;
}

/**
 * "Reply as bot" asked twice about the same question gets the same answer from a deterministic bot
 * (the offline one always; a model at a low temperature often): sending it again word for word
 * helps no one and looks broken to the customer. Refused with the reason; nothing is stored.
 */
async function refuseRepeat(ctx: Ctx, conversationId: string, text: string): Promise<void> {
  const [last] = await ctx.db
    .select({ text: messages.text })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        eq(messages.role, "BOT"),
        eq(messages.kind, "text"),
        ne(messages.status, "draft"),
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(1);
  const same = (a: string) => a.normalize("NFKC").replace(/\s+/g, " ").trim();
  if (last?.text && same(last.text) === same(text)) {
    throw new DomainError(
      "bot_repeats_itself",
      "The bot's answer is its last message again, word for word, so it was not sent. Write the reply yourself, or ask the customer for more detail.",
    );
  }
}

export function requireQueue(ctx: Ctx): JobQueue {
  if (!ctx.queue) throw new Error("sending needs the job queue: the context has no queue");
  return ctx.queue;
}

/**
 * Hands a stored message to `send-outbound-message`. When the queue refuses (Redis down), the
 * message becomes `failed` with a reason, so the thread shows it with a retry button instead of a
 * message that looks queued forever, and the error goes on to the caller.
 */
export async function enqueueSend(ctx: Ctx, queue: JobQueue, message: MessageRow, jobId: string): Promise<void> {
  try {
    await queue.enqueue(sendOutboundMessage, { messageId: message.id }, { jobId, workspaceId: ctx.workspaceId });
  } catch (error) {
    ctx.log.error({ err: error, messageId: message.id }, "could not queue an outbound message");
    const [failed] = await ctx.db
      .update(messages)
      .set({
        status: "failed",
        errorCode: "queue_unavailable",
        errorMessage: "The message could not be queued for sending. Retry it.",
      })
      .where(eq(messages.id, message.id))
      .returning();
    if (failed) emitMessage(ctx, messageToDto(failed), "updated");
    throw error;
  }
}

/** The AI draft an agent's reply starts from: a `draft` of this conversation, else 400. */
async function draftOf(ctx: Ctx, conversationId: string, draftId: string) {
  const [draft] = await ctx.db
    .select({ id: messages.id, text: messages.text })
    .from(messages)
    .where(and(eq(messages.id, draftId), eq(messages.conversationId, conversationId), eq(messages.status, "draft")))
    .limit(1);
  if (!draft) {
    throw new DomainError("invalid_input", "The draft is not one of this conversation's AI drafts", {
      details: [{ path: "draftId", message: "Unknown draft" }],
    });
  }
  return draft;
}

async function conversationWithChannel(ctx: Ctx, conversationId: string, options: { lock?: boolean } = {}) {
  const query = ctx.db
    .select({
      id: conversations.id,
      channelId: conversations.channelId,
      channelType: channels.type,
      channelName: channels.name,
      lastInboundAt: conversations.lastInboundAt,
    })
    .from(conversations)
    .leftJoin(channels, eq(channels.id, conversations.channelId))
    .where(inInbox(ctx.workspaceId, conversationId))
    .limit(1);
  const [row] = await (options.lock ? query.for("update", { of: conversations }) : query);
  if (!row) throw new DomainError("conversation_not_found", "Conversation not found");
  return row;
}

/** The send job's own rule (the adapter's `replyWindow`), checked before anything is stored. */
function assertInsideWindow(
  conversation: { channelType: ChannelType | null; lastInboundAt: Date | null },
  role: "AGENT" | "BOT",
): void {
  const capabilities = conversation.channelType ? channelCapabilities(conversation.channelType) : null;
  if (!capabilities) return;
  const window = capabilities.replyWindow(role, conversation.lastInboundAt, new Date());
  if (!window.allowed) {
    throw new DomainError("outside_messaging_window", window.reason, {
      details: { lastInboundAt: conversation.lastInboundAt?.toISOString() ?? null },
    });
  }
}

async function published(ctx: Ctx, row: MessageRow): Promise<MessageDto> {
  const dto = messageToDto(row);
  emitMessage(ctx, dto);
  await emitConversationOf(ctx, row.conversationId);
  return dto;
}

async function emitConversationOf(ctx: Ctx, conversationId: string): Promise<void> {
  if (!ctx.realtime) return;
  const [conversation] = await loadConversationDtos(ctx.db, ctx.workspaceId, [conversationId]);
  if (conversation) emitConversation(ctx, conversation);
}
