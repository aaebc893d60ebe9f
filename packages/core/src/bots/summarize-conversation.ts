import { chatbots, conversations, type Db, messages } from "@tandem/db";
import { and, asc, count, eq, inArray, isNull, lt } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { DomainError } from "../errors.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { isRetryable } from "../jobs/errors.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { LlmError } from "../llm/types.ts";
import { chatbotFor } from "./chatbot-for.ts";
import { modelOf } from "./compose-reply.ts";
import { countSummarizable, extractiveSummary, resolveMemorySettings, summarizable, summarizableIn } from "./memory.ts";
import { providerForChatbot } from "./provider-for-chatbot.ts";

/** New messages one summary pass reads at most (the previous summary stands for the older ones). */
const MAX_MESSAGES_PER_PASS = 60;

const SUMMARY_PROMPT = `You keep the running summary of a customer-support conversation, which the support assistant reads before each reply.
Update the summary with the new messages. Keep what matters for later replies: who the customer is, what they want, order numbers and other facts they gave, what was answered or promised, and what is still open.
Write at most 6 short lines, in the language of the conversation, with no preamble.`;

/**
 * Refreshes `conversation.summary` (the prompt's `{short_memory}`) once `summarizeAfter` new
 * messages have come since the last refresh. Enqueued with a job id per conversation and message
 * count bucket (`summary:{conversationId}:{count / K}`), so each threshold is summarised once however
 * many replies cross it; a run that finds the summary already current does nothing.
 *
 * The chatbot's provider writes the summary; the offline provider — or a provider that is not
 * configured or keeps failing — gets the extractive summary instead, so memory never stops.
 */
export const summarizeConversation = defineJob({
  name: "summarize-conversation",
  schema: z.object({ conversationId: z.string().min(1) }),
  retry: { attempts: 3 },
  // The provider writes it (seconds): a few at a time, at most two per workspace, so one slow
  // provider does not keep every workspace's memory waiting.
  concurrency: 4,
  workspaceConcurrency: 2,
  // Memory for later replies: the current ones go first.
  background: true,
  handle: async ({ conversationId }, ctx: JobContext<AppJobDeps>) => {
    const [conversation] = await ctx.db.select().from(conversations).where(eq(conversations.id, conversationId));
    if (!conversation) return;
    const chatbot = await chatbotFor(ctx.db, conversation);
    const memory = resolveMemorySettings(chatbot?.memorySettings);
    const total = await countSummarizable(ctx.db, conversationId);
    if (total - conversation.summaryMessageCount < memory.summarizeAfter) return;

    const fresh = await ctx.db
      .select({ role: messages.role, text: messages.text, attachments: messages.attachments })
      .from(messages)
      .where(summarizable(conversationId))
      .orderBy(asc(messages.createdAt), asc(messages.id))
      .offset(Math.max(conversation.summaryMessageCount, total - MAX_MESSAGES_PER_PASS))
      .limit(MAX_MESSAGES_PER_PASS);

    let summary = extractiveSummary(conversation.summary, fresh);
    let method = "extractive";
    if (chatbot && chatbot.providerKind !== "OFFLINE") {
      try {
        const provider = await providerForChatbot(ctx, chatbot);
        const transcript = fresh
          .map((m) => `${LABEL[m.role]}: ${m.text?.trim() || m.attachments.map((a) => `[${a.type}]`).join(" ")}`)
          .join("\n");
        const result = await provider.generate({
          model: modelOf(chatbot),
          temperature: 0.2,
          maxTokens: 300,
          timeoutMs: chatbot.timeoutMs,
          systemPrompt: SUMMARY_PROMPT,
          messages: [
            {
              role: "user",
              content: `Current summary:\n${conversation.summary?.trim() || "(none)"}\n\nNew messages:\n${transcript}`,
            },
          ],
          signal: ctx.signal,
        });
        if (result.text.trim()) {
          summary = result.text.trim();
          method = "llm";
        }
      } catch (error) {
        const expected =
          error instanceof LlmError || (error instanceof DomainError && error.code === "provider_not_configured");
        if (!expected) throw error;
        if (isRetryable(error) && ctx.attempt < ctx.maxAttempts) throw error;
        ctx.log.warn({ err: error, conversationId }, "LLM summary failed: keeping an extractive summary");
      }
    }

    // Only forward: a slower run for an older bucket never overwrites a newer summary.
    await ctx.db
      .update(conversations)
      .set({ summary, summaryMessageCount: total })
      .where(and(eq(conversations.id, conversationId), lt(conversations.summaryMessageCount, total)));
    ctx.log.debug({ conversationId, method, messages: total }, "conversation summary refreshed");
  },
});

const LABEL: Record<string, string> = { USER: "Customer", AGENT: "Agent", BOT: "Assistant" };

/** Enqueues `summarize-conversation` when `summarizeAfter` messages have come since the last summary. */
export async function enqueueSummaryIfDue(deps: { db: Db; queue: JobQueue }, conversationId: string): Promise<void> {
  await enqueueSummariesIfDue(deps, [conversationId]);
}

/**
 * The summary check of several conversations in two reads, whatever their number (a batch of inbound
 * events checks every conversation it touched: one read each, in the background scope, kept a batch's
 * job waiting on hundreds of idle turns). A conversation's chatbot is its own when it still exists,
 * else the workspace's default one (`chatbotFor`); with neither, nobody reads a summary.
 */
export async function enqueueSummariesIfDue(
  deps: { db: Db; queue: JobQueue },
  conversationIds: readonly string[],
): Promise<void> {
  const ids = [...new Set(conversationIds)];
  if (ids.length === 0) return;
  const own = alias(chatbots, "own_chatbot");
  const fallback = alias(chatbots, "default_chatbot");
  const [rows, totals] = await Promise.all([
    deps.db
      .select({
        id: conversations.id,
        workspaceId: conversations.workspaceId,
        summaryMessageCount: conversations.summaryMessageCount,
        own: own.memorySettings,
        fallback: fallback.memorySettings,
      })
      .from(conversations)
      .leftJoin(own, and(eq(own.id, conversations.chatbotId), isNull(own.deletedAt)))
      .leftJoin(
        fallback,
        and(
          eq(fallback.workspaceId, conversations.workspaceId),
          eq(fallback.isDefault, true),
          isNull(fallback.deletedAt),
        ),
      )
      .where(inArray(conversations.id, ids)),
    deps.db
      .select({ conversationId: messages.conversationId, n: count() })
      .from(messages)
      .where(summarizableIn(ids))
      .groupBy(messages.conversationId),
  ]);
  const totalOf = new Map(totals.map((t) => [t.conversationId, t.n]));
  const due = rows.flatMap((row) => {
    // The summary is the bot's memory (replies and drafts): with no chatbot, nobody reads it.
    const memory = row.own ?? row.fallback;
    if (!memory) return [];
    const every = resolveMemorySettings(memory).summarizeAfter;
    const total = totalOf.get(row.id) ?? 0;
    if (total - row.summaryMessageCount < every) return [];
    return [
      {
        payload: { conversationId: row.id },
        jobId: `summary:${row.id}:${Math.floor(total / every)}`,
        workspaceId: row.workspaceId,
      },
    ];
  });
  const [only] = due;
  if (due.length === 1 && only) await deps.queue.enqueue(summarizeConversation, only.payload, only);
  else if (due.length > 1) await deps.queue.enqueueMany(summarizeConversation, due);
}
