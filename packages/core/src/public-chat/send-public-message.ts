import { type MessageSourceDto, type ProductCard, type PublicChatAnswer, WIDGET_SOCKET } from "@tandem/contracts";
import { contacts, conversations, messages, newId } from "@tandem/db";
import { and, eq, sql } from "drizzle-orm";
import type { AppJobDeps } from "../app-deps.ts";
import { judgeReply, type PreparedReply, prepareReply } from "../bots/compose-reply.ts";
import {
  decideBotReply,
  finishBotReply,
  generateBotReply,
  persistBotReply,
  persistBotReplyFailure,
} from "../bots/generate-bot-reply.ts";
import { messageIdByPlatformId, receiveCustomerMessage } from "../conversations/receive-customer-message.ts";
import { DomainError } from "../errors.ts";
import { isRetryable } from "../jobs/errors.ts";
import type { LlmResult } from "../llm/types.ts";
import { assertChatbotAnswers } from "./assert-chatbot-answers.ts";
import { assertVisitorIdentity } from "./assert-visitor-identity.ts";
import { publicAnswerOf } from "./public-answer.ts";
import { type PublicChannelRow, publicChannel } from "./public-channel.ts";
import { publicMessageOf } from "./public-message.ts";
import type { PublicSession } from "./public-session.ts";

/**
 * `POST /api/v1/public/chat/{chatbotId}/messages`: a customer's message from the widget or the public
 * API, answered in the request — whole, or streamed as the model writes.
 *
 * The message goes through the one pipeline every channel uses (`receiveCustomerMessage`: contact and
 * conversation, guardrails — a request for a person hands off at once —, inbox live events), and the
 * answer is the reply job's own steps (`decideBotReply` → `prepareReply` → provider → `judgeReply` →
 * `persistBotReply`, with its rechecks under the conversation's lock → `finishBotReply`, which queues
 * the send: `response` / `realtime` delivery marks it sent). So the answer is stored exactly as the job
 * would store it: a BOT message with sources, usage, provider and prompt version.
 *
 * Nothing is answered twice and nothing is lost: the reply job is enqueued for the message as well,
 * delayed (`SAFETY_NET_DELAY_MS`), and the request writes under that job's id — when the job runs it
 * finds the answer stored and only finishes; when the request died first (a crash, a provider that
 * timed out and will be retried), the job answers and the customer reads it with the session's
 * messages. A client that goes away mid-stream does not stop the answer: the provider call carries
 * no request signal, and the route reads the stream to its end.
 *
 * When a person has the conversation (auto-bot off) the bot says nothing: the answer's `response` is
 * "" and `handoff` says why. `clientMessageId` makes a retried send a no-op that answers the first
 * send's answer again.
 */
export interface SendPublicMessageInput {
  session: PublicSession;
  /** The widget preview on the dashboard's own origin: a `testing` chatbot answers there. */
  preview: boolean;
  message: string;
  metadata?: Record<string, unknown> | undefined;
  clientMessageId?: string | undefined;
}

export type PublicChatStreamEvent =
  | { type: "delta"; text: string }
  | { type: "sources"; sources: MessageSourceDto[] }
  | { type: "products"; products: ProductCard[] }
  | { type: "handoff"; reason: string; message: string | null }
  | { type: "completed"; answer: PublicChatAnswer }
  | { type: "error"; code: string; message: string };

/** A message accepted and stored, ready to be answered once, whole or streamed. */
export interface PublicChatTurn {
  answer(): Promise<PublicChatAnswer>;
  stream(): AsyncGenerator<PublicChatStreamEvent>;
}

/** The reply job waits this long at least before it looks: the request answers first. */
export const SAFETY_NET_DELAY_MS = 60_000;

export async function sendPublicMessage(deps: AppJobDeps, input: SendPublicMessageInput): Promise<PublicChatTurn> {
  const { session } = input;
  const { chatbot, sessionId } = session;
  assertChatbotAnswers(chatbot, input);
  await assertVisitorIdentity(deps.db, session);
  const channel = await publicChannel(deps.db, chatbot, session.kind);
  const platformMessageId = `${sessionId}:${input.clientMessageId ?? newId("message")}`;
  const stored = await receiveCustomerMessage(deps, {
    channel,
    from: { platformId: sessionId, kind: "user" },
    message: {
      platformMessageId,
      text: input.message,
      attachments: [],
      payload: null,
      postback: false,
      replyToPlatformId: null,
      at: new Date(),
    },
    clientMetadata: input.metadata,
    botReply: "caller",
  });

  if (!stored) {
    // The same `clientMessageId` again: the first send's answer, as it stands.
    const firstId = await messageIdByPlatformId(deps.db, channel.id, platformMessageId);
    const [first] = firstId
      ? await deps.db.select({ conversationId: messages.conversationId }).from(messages).where(eq(messages.id, firstId))
      : [];
    if (!firstId || !first) throw new Error(`message ${platformMessageId} was stored but cannot be read`);
    return settled(() => publicAnswerOf(deps.db, first.conversationId, firstId));
  }

  const conversationId = stored.conversationId;
  await Promise.all([
    describeContact(deps, channel.id, sessionId, input.metadata),
    echoToSession(deps, channel, sessionId, stored.id),
  ]);
  const answerOf = () => publicAnswerOf(deps.db, conversationId, stored.id);

  const [conversation] = await deps.db
    .select({ autoBot: conversations.autoBot, chatbotId: conversations.chatbotId })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  // A person has the conversation (or it was just handed to one at ingestion): the bot stays silent.
  if (!conversation?.autoBot || !conversation.chatbotId) return settled(answerOf);

  const payload = { conversationId, triggerMessageId: stored.id, mode: "auto" as const };
  const { id: jobId } = await deps.queue.enqueue(generateBotReply, payload, {
    jobId: `bot-reply:${stored.id}`,
    delayMs: Math.max(SAFETY_NET_DELAY_MS, chatbot.timeoutMs + 30_000),
    workspaceId: chatbot.workspaceId,
  });
  const plan = await decideBotReply(deps.db, payload, jobId, { answerTesting: input.preview });
  if (plan.kind !== "compose") {
    await finishBotReply(deps, conversationId, plan);
    return settled(answerOf);
  }

  /** A failure the job would retry is left to it; any other hands off, as the job's last attempt does. */
  const failed = async (error: unknown): Promise<PublicChatAnswer> => {
    if (isRetryable(error)) {
      deps.log.info({ err: error, conversationId }, "public answer failed; the reply job will try again");
      throw new DomainError(
        "answer_delayed",
        "The bot could not answer right now. It will try again: its answer will appear in the session's messages.",
      );
    }
    deps.log.warn({ err: error, conversationId }, "public answer failed: handing off");
    await finishBotReply(deps, conversationId, await persistBotReplyFailure(deps.db, plan, error, jobId, deps.log));
    return answerOf();
  };

  let prepared: PreparedReply;
  try {
    prepared = await prepareReply(deps, {
      conversation: plan.conversation,
      chatbot: plan.chatbot,
      guardrails: plan.guardrails,
      recent: plan.recent,
      credential: plan.credential,
      locale: plan.locale,
      channel: plan.channel,
    });
  } catch (error) {
    const answer = await failed(error);
    return settled(async () => answer);
  }
  const complete = async (result: LlmResult) => {
    const outcome = await persistBotReply(deps.db, plan, judgeReply(prepared, result), jobId);
    await finishBotReply(deps, conversationId, outcome);
    return answerOf();
  };
  return answeredTurn(prepared, complete, failed);
}

/** The turn of a message the provider answers: one call, whole or streamed, finished by `complete`. */
function answeredTurn(
  prepared: PreparedReply,
  complete: (result: LlmResult) => Promise<PublicChatAnswer>,
  failed: (error: unknown) => Promise<PublicChatAnswer>,
): PublicChatTurn {
  let used = false;
  const once = () => {
    if (used) throw new Error("a public chat turn is answered once");
    used = true;
  };
  return {
    async answer() {
      once();
      let result: LlmResult;
      try {
        result = await prepared.provider.generate(prepared.request);
      } catch (error) {
        return failed(error);
      }
      return complete(result);
    },
    async *stream() {
      once();
      let answer: PublicChatAnswer;
      try {
        let result: LlmResult | undefined;
        for await (const event of prepared.provider.stream(prepared.request)) {
          if (event.type === "done") result = event.result;
          else if (event.text) yield { type: "delta", text: event.text };
        }
        if (!result) throw new Error("the provider's stream ended without its result");
        answer = await complete(result);
      } catch (error) {
        try {
          answer = await failed(error);
        } catch (failure) {
          if (failure instanceof DomainError) {
            yield { type: "error", code: failure.code, message: failure.message };
            return;
          }
          throw failure;
        }
      }
      yield* endOf(answer);
    },
  };
}

/** A turn whose answer is already decided (stored, or none): the stream has no deltas. */
function settled(answer: () => Promise<PublicChatAnswer>): PublicChatTurn {
  return {
    answer,
    async *stream() {
      yield* endOf(await answer());
    },
  };
}

/** The stream's last events: sources, the products if any, the handoff when a person takes it, the whole answer. */
function* endOf(answer: PublicChatAnswer): Generator<PublicChatStreamEvent> {
  yield { type: "sources", sources: answer.sources };
  if (answer.products.length) yield { type: "products", products: answer.products };
  if (answer.handoff) yield { type: "handoff", reason: answer.handoff.reason, message: answer.response || null };
  yield { type: "completed", answer };
}

/** `metadata.name` / `metadata.email` name the session's contact in the inbox. */
async function describeContact(
  deps: Pick<AppJobDeps, "db">,
  channelId: string,
  sessionId: string,
  metadata: Record<string, unknown> | undefined,
): Promise<void> {
  const text = (value: unknown, max: number) =>
    typeof value === "string" && value.trim() ? value.trim().slice(0, max) : undefined;
  const name = text(metadata?.name, 200);
  const email = text(metadata?.email, 320);
  if (!name && !email) return;
  await deps.db
    .update(contacts)
    .set({ ...(name ? { name } : {}), ...(email ? { email } : {}), updatedAt: sql`now()` })
    .where(and(eq(contacts.channelId, channelId), eq(contacts.platformUserId, sessionId)));
}

/**
 * The customer's own message, to their live connection (the widget in their other tabs), on channels
 * that deliver that way (`ChannelAdapter.realtimeRoom`).
 */
async function echoToSession(
  deps: AppJobDeps,
  channel: PublicChannelRow,
  sessionId: string,
  messageId: string,
): Promise<void> {
  const room = deps.channels.find(channel.type)?.realtimeRoom?.(channel, sessionId);
  const dto = room ? await publicMessageOf(deps.db, messageId) : null;
  if (room && dto) deps.realtime.emit(room, WIDGET_SOCKET.events.message, dto);
}
