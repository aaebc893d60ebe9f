import type { PlaygroundCompareInput, PlaygroundCompareResponse, PlaygroundCompareResult } from "@tandem/contracts";
import { judgeReply, prepareReply, type TurnRow } from "../../bots/compose-reply.ts";
import { resolveGuardrails, wantsHuman } from "../../bots/guardrails.ts";
import type { RetrievalFailure } from "../../bots/retrieve-knowledge.ts";
import { recordRetrievalFailure } from "../../chatbot-health/record-retrieval-failure.ts";
import type { Ctx } from "../../context.ts";
import { assertActorCan } from "../../members/guard.ts";
import type { ProviderDeps } from "../../providers/provider-deps.ts";
import { getChatbotInWorkspace } from "../get-chatbot-in-workspace.ts";
import { answerOf, failureOf, handoffAnswer, isContentFiltered, knownFailure } from "./answer.ts";
import { type PlaygroundConfig, resolvePlaygroundConfig } from "./resolve-playground-config.ts";

/**
 * Compare mode: one question answered by the chatbot under two to four configurations (two prompt
 * versions, two models…), concurrently, each as the live bot would answer it as the first message
 * of a conversation. Every configuration is checked before any provider is called (a bad one → 400
 * naming `configs.{i}.…`); then a configuration whose provider fails reports its error in its own
 * slot and the others still answer. Nothing is stored (compare mode has no session) but a vector
 * search that failed behind the answers, once, in the chatbot's health.
 */
export async function compareInPlayground(
  ctx: Ctx,
  chatbotId: string,
  input: PlaygroundCompareInput,
  deps: ProviderDeps,
  signal?: AbortSignal,
): Promise<PlaygroundCompareResponse> {
  assertActorCan(ctx, "chatbots.manage");
  const chatbot = await getChatbotInWorkspace(ctx, chatbotId);
  const configs: PlaygroundConfig[] = [];
  for (const [i, overrides] of input.configs.entries()) {
    configs.push(await resolvePlaygroundConfig(ctx, chatbot, overrides, `configs.${i}`));
  }
  const question: TurnRow = {
    id: "playground-compare",
    role: "USER",
    kind: "text",
    text: input.message,
    status: "received",
    attachments: [],
    createdAt: new Date(),
  };

  const failures: RetrievalFailure[] = [];
  const answer = async (config: PlaygroundConfig, i: number): Promise<PlaygroundCompareResult> => {
    const overrideConfig = input.configs[i]!;
    if (wantsHuman(input.message, resolveGuardrails(config.chatbot.guardrails).humanRequestPhrases)) {
      return { overrideConfig, answer: handoffAnswer("human_requested", config.effective), error: null };
    }
    try {
      const prepared = await prepareReply(
        { ...deps, db: ctx.db },
        {
          conversation: { id: question.id, summary: null },
          chatbot: config.chatbot,
          credential: config.credential,
          recent: [question],
          signal,
        },
      );
      if (prepared.retrievalFailure) failures.push(prepared.retrievalFailure);
      const result = await prepared.provider.generate(prepared.request);
      return { overrideConfig, answer: answerOf(judgeReply(prepared, result), config.effective), error: null };
    } catch (error) {
      if (isContentFiltered(error)) {
        return { overrideConfig, answer: handoffAnswer("content_filtered", config.effective), error: null };
      }
      // A bug is logged; a client that went away is not one.
      if (!knownFailure(error) && !signal?.aborted) {
        ctx.log.error({ err: error }, "playground compare: a configuration failed");
      }
      const { code, message } = failureOf(error);
      return { overrideConfig, answer: null, error: { code, message } };
    }
  };
  const results = await Promise.all(configs.map(answer));
  // Every configuration searches the same knowledge the same way: one question, one record.
  await recordRetrievalFailure(
    ctx.db,
    failures[0] ?? null,
    { workspaceId: ctx.workspaceId, chatbotId: chatbot.id, channelId: null, conversationId: null, messageId: null },
    ctx.log,
  );
  return { results };
}
