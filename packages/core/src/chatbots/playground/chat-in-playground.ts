import type { PlaygroundAnswer, PlaygroundChatInput, PlaygroundOverrides, PlaygroundSource } from "@tandem/contracts";
import { type Db, type messages, newId } from "@tandem/db";
import {
  type ComposedReply,
  judgeReply,
  type PreparedReply,
  prepareReply,
  recentMessageLimit,
  recentTurns,
  type TurnRow,
} from "../../bots/compose-reply.ts";
import { resolveGuardrails, wantsHuman } from "../../bots/guardrails.ts";
import { recordBotReply } from "../../bots/record-bot-reply.ts";
import { recordRetrievalFailure } from "../../chatbot-health/record-retrieval-failure.ts";
import type { Ctx } from "../../context.ts";
import { appendMessage } from "../../conversations/append-message.ts";
import { DomainError } from "../../errors.ts";
import type { LlmResult } from "../../llm/types.ts";
import { assertActorCan } from "../../members/guard.ts";
import type { ProviderDeps } from "../../providers/provider-deps.ts";
import { getChatbotInWorkspace } from "../get-chatbot-in-workspace.ts";
import {
  answerOf,
  failureOf,
  handoffAnswer,
  isContentFiltered,
  knownFailure,
  type PlaygroundAnswerBody,
  type PlaygroundFailure,
} from "./answer.ts";
import { getPlaygroundSessionInWorkspace } from "./get-playground-session-in-workspace.ts";
import {
  mergePlaygroundOverrides,
  type PlaygroundConfig,
  resolvePlaygroundConfig,
} from "./resolve-playground-config.ts";

type MessageRow = typeof messages.$inferSelect;
type PlaygroundConversation = { id: string; workspaceId: string; channelId: null };

/** What a streamed playground answer yields, in order: deltas, then sources and the answer — or an error. */
export type PlaygroundStreamEvent =
  | { type: "delta"; text: string }
  | { type: "sources"; sources: PlaygroundSource[] }
  | { type: "completed"; answer: PlaygroundAnswer }
  | { type: "error"; error: PlaygroundFailure };

/** A playground message accepted and stored, ready to be answered once, whole or streamed. */
export interface PlaygroundTurn {
  answer(signal?: AbortSignal): Promise<PlaygroundAnswer>;
  stream(signal?: AbortSignal): AsyncGenerator<PlaygroundStreamEvent>;
}

/** `POST /chatbots/{id}/playground/chat` as JSON: the whole answer, or the failure as an error (provider → 502). */
export async function chatInPlayground(
  ctx: Ctx,
  chatbotId: string,
  input: PlaygroundChatInput,
  deps: ProviderDeps,
  signal?: AbortSignal,
): Promise<PlaygroundAnswer> {
  return (await startPlaygroundTurn(ctx, chatbotId, input, deps)).answer(signal);
}

/**
 * One message in a playground session, answered the way the live bot would answer it — the same
 * composition as the reply job (`prepareReply` → provider → `judgeReply`: knowledge, prompt,
 * memory of the session's earlier turns, output guardrails, a request for a person) — with the
 * session's and the message's overrides applied to a copy of the chatbot. The chatbot's status does
 * not matter (`testing` and `inactive` ones answer here). Unlike the live bot, no consecutive-reply
 * limit applies, inbound messages are not flagged for moderation, and nothing is published or sent:
 * the conversation is a playground one (no channel), its BOT messages are stored `sent`. Like the
 * live bot, a vector search that failed behind the answer (full text only) is recorded in the
 * chatbot's health; the playground's replies themselves stay out of it.
 *
 * Everything that can be refused is checked before this returns (session ended → 409, unknown
 * credential or prompt version → 400, provider not configured → 409), so a stream starts only for an
 * answer that is under way. The tester's message is stored first; an answer that fails leaves a SYSTEM
 * note with the error code in the session.
 */
export async function startPlaygroundTurn(
  ctx: Ctx,
  chatbotId: string,
  input: PlaygroundChatInput,
  deps: ProviderDeps,
): Promise<PlaygroundTurn> {
  assertActorCan(ctx, "chatbots.manage");
  const [chatbot, session] = await Promise.all([
    getChatbotInWorkspace(ctx, chatbotId),
    getPlaygroundSessionInWorkspace(ctx, chatbotId, input.sessionId),
  ]);
  if (!session.active || !session.conversationId) {
    throw new DomainError("playground_session_ended", "This playground session has ended: start a new one", {
      details: { sessionId: session.id, endedAt: session.endedAt?.toISOString() ?? null },
    });
  }
  const overrides = mergePlaygroundOverrides(session.overrides as PlaygroundOverrides, input.overrideConfig);
  const config = await resolvePlaygroundConfig(ctx, chatbot, overrides, "overrideConfig");
  const conversation: PlaygroundConversation = {
    id: session.conversationId,
    workspaceId: ctx.workspaceId,
    channelId: null,
  };
  const meta = {
    mode: "playground",
    sessionId: session.id,
    overrides,
    ...(ctx.actor.type === "system" ? {} : { requestedByMemberId: ctx.actor.memberId }),
  };

  // The tester's message, written by `storeQuestion` — while the provider is already at work when an
  // answer is composed, so the first token does not wait for the write; before anything else is.
  const question: TurnRow = {
    id: newId("message"),
    role: "USER",
    kind: "text",
    text: input.message,
    status: "received",
    attachments: [],
    createdAt: new Date(),
  };
  const storeQuestion = () => {
    const stored = appendMessage(ctx.db, conversation, {
      ...question,
      metadata: { mode: "playground", sessionId: session.id },
    });
    // Awaited by whoever writes next; until then a failed write must not be an unhandled rejection.
    stored.catch(() => {});
    return stored;
  };
  const note = (reason: string, text: string, extra: Record<string, unknown> = {}) =>
    appendSystemNote(ctx.db, conversation, text, { ...meta, ...extra, reason });

  /** The live bot's handoff without an answer, as its note in the session. */
  const handOff = async (reason: "human_requested" | "content_filtered"): Promise<PlaygroundAnswer> => {
    const body = handoffAnswer(reason, config.effective);
    return { messageId: (await note(reason, body.handoff!.note, { trigger: question.id })).id, ...body };
  };
  if (wantsHuman(input.message, resolveGuardrails(config.chatbot.guardrails).humanRequestPhrases)) {
    await storeQuestion();
    return settledTurn(() => handOff("human_requested"));
  }

  let prepared: PreparedReply;
  try {
    const earlier = await recentTurns(ctx.db, conversation.id, recentMessageLimit(config.chatbot) - 1);
    prepared = await prepareReply(
      { ...deps, db: ctx.db },
      {
        conversation: { id: conversation.id, summary: null },
        chatbot: config.chatbot,
        credential: config.credential,
        recent: [...earlier, question],
      },
    );
  } catch (error) {
    await storeQuestion();
    await recordFailure(ctx, note, error, undefined);
    throw knownFailure(error) ?? error;
  }
  // A tester should see in the health what the live bot would meet: the vector search failing.
  await recordRetrievalFailure(
    ctx.db,
    prepared.retrievalFailure,
    {
      workspaceId: ctx.workspaceId,
      chatbotId: chatbot.id,
      channelId: null,
      conversationId: conversation.id,
      messageId: question.id,
    },
    ctx.log,
  );

  const finish = (result: LlmResult) => persistAnswer(ctx.db, conversation, judgeReply(prepared, result), config, meta);
  let used = false;
  const once = () => {
    if (used) throw new Error("a playground turn is answered once");
    used = true;
  };
  return {
    async answer(signal) {
      once();
      const call = prepared.provider.generate(withSignal(prepared, signal));
      const stored = storeQuestion();
      let result: LlmResult;
      try {
        result = await call;
      } catch (error) {
        await stored;
        if (isContentFiltered(error)) return handOff("content_filtered");
        await recordFailure(ctx, note, error, signal);
        throw knownFailure(error) ?? error;
      }
      await stored;
      return finish(result);
    },
    async *stream(signal) {
      once();
      let stored: ReturnType<typeof storeQuestion> | undefined;
      // After the first delta is out (the provider has answered by then), or when the stream ends.
      const store = () => {
        stored ??= storeQuestion();
        return stored;
      };
      let answer: PlaygroundAnswer;
      try {
        let result: LlmResult | undefined;
        for await (const event of prepared.provider.stream(withSignal(prepared, signal))) {
          if (event.type === "done") result = event.result;
          else if (event.text) {
            yield { type: "delta", text: event.text };
            store();
          }
        }
        await store();
        if (!result) throw new Error("the provider's stream ended without its result");
        answer = await finish(result);
      } catch (error) {
        await store().catch(() => {});
        if (isContentFiltered(error)) {
          yield* settledTurn(() => handOff("content_filtered")).stream();
          return;
        }
        await recordFailure(ctx, note, error, signal);
        // Nobody is left to tell when the tester went away.
        if (signal?.aborted) return;
        // The client hears of it in the stream; the log must hear of a bug too.
        if (!knownFailure(error)) ctx.log.error({ err: error }, "playground answer failed");
        yield { type: "error", error: failureOf(error) };
        return;
      }
      yield { type: "sources", sources: answer.sources };
      yield { type: "completed", answer };
    },
  };
}

const withSignal = (prepared: PreparedReply, signal: AbortSignal | undefined) =>
  signal ? { ...prepared.request, signal } : prepared.request;

/** A turn whose answer needs no provider (a request for a person): the stream has no deltas. */
function settledTurn(answer: () => Promise<PlaygroundAnswer>): PlaygroundTurn {
  return {
    answer,
    async *stream() {
      const settled = await answer();
      yield { type: "sources", sources: settled.sources };
      yield { type: "completed", answer: settled };
    },
  };
}

/**
 * The answer stored as the live bot would store it — a BOT message with its provenance (provider,
 * model, usage, latency, prompt version, sources), `sent` at once as the conversation has no channel
 * — and a SYSTEM note for a handoff. Nothing is published: no inbox shows a playground.
 */
async function persistAnswer(
  db: Db,
  conversation: PlaygroundConversation,
  composed: ComposedReply,
  config: PlaygroundConfig,
  meta: Record<string, unknown>,
): Promise<PlaygroundAnswer> {
  const body: PlaygroundAnswerBody = answerOf(composed, config.effective);
  const write = async (tx: Db) => {
    const at = new Date();
    const reply = body.response
      ? await recordBotReply(tx, conversation, { text: body.response, composed, meta, at })
      : null;
    const handoff = body.handoff
      ? await appendSystemNote(tx, conversation, body.handoff.note, {
          ...meta,
          reason: body.handoff.reason,
          ...(body.handoff.withheld ? { withheld: body.handoff.withheld } : {}),
          at: new Date(at.getTime() + 1),
        })
      : null;
    return { messageId: (reply ?? handoff)!.id, ...body };
  };
  // A single message goes without a transaction of its own: its conversation's latest-message fields,
  // written after it, matter to no one in a playground, and BEGIN/COMMIT would add to the tester's
  // wait. An answer with its handoff note is written together.
  if (!body.response || !body.handoff) return write(db);
  return db.transaction((tx) => write(tx as unknown as Db));
}

async function appendSystemNote(
  db: Db,
  conversation: PlaygroundConversation,
  text: string,
  metadata: Record<string, unknown> & { at?: Date },
): Promise<MessageRow> {
  const { at, ...rest } = metadata;
  const now = at ?? new Date();
  const { message } = await appendMessage(db, conversation, {
    role: "SYSTEM",
    kind: "event",
    text,
    status: "sent",
    sentAt: now,
    metadata: { ...rest, event: "playground" },
    createdAt: now,
  });
  return message!;
}

/**
 * The session keeps a note of a failed answer — or of one the tester did not wait for (the request's
 * signal aborted: the provider call was cancelled); a note that cannot be written is only logged.
 */
async function recordFailure(
  ctx: Ctx,
  note: (reason: string, text: string, extra?: Record<string, unknown>) => Promise<MessageRow>,
  error: unknown,
  signal: AbortSignal | undefined,
): Promise<void> {
  const failure = signal?.aborted
    ? { code: "client_closed", message: "The request was closed before the answer was complete." }
    : failureOf(error);
  await note(failure.code, `No answer: ${failure.message}`).catch((err: unknown) =>
    ctx.log.warn({ err }, "could not record the playground failure"),
  );
}
