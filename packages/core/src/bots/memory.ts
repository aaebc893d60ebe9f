/**
 * Conversation memory: the last N turns go into every prompt as they are (`prompt.ts`), and a rolling
 * summary of the whole conversation (`conversation.summary`) fills `{short_memory}`. The summary is
 * refreshed in the background every K messages (`summarizeAfter`) by `summarize-conversation`: an LLM
 * summary through the chatbot's provider, or — for the offline provider, or when the provider fails —
 * an extractive one built from the customer's and the agents' own sentences.
 */

import type { MemorySettings } from "@tandem/db";
import { type Db, messages } from "@tandem/db";
import { and, count, inArray, ne } from "drizzle-orm";
import { DEFAULT_LAST_N_MESSAGES, DEFAULT_PROMPT_TOKEN_BUDGET } from "./prompt.ts";

export const DEFAULT_SUMMARIZE_AFTER = 10;

export interface ResolvedMemory {
  lastNMessages: number;
  summarizeAfter: number;
  maxPromptTokens: number;
}

export function resolveMemorySettings(settings: MemorySettings | null | undefined): ResolvedMemory {
  const s = settings ?? {};
  return {
    lastNMessages: positiveInt(s.lastNMessages) ?? DEFAULT_LAST_N_MESSAGES,
    summarizeAfter: positiveInt(s.summarizeAfter) ?? DEFAULT_SUMMARIZE_AFTER,
    maxPromptTokens: positiveInt(s.maxPromptTokens) ?? DEFAULT_PROMPT_TOKEN_BUDGET,
  };
}

/**
 * What the summary counts and covers: the customer's, the bot's and the agents' messages (no notes, no
 * events, no AI drafts that were never sent as such).
 */
export const summarizable = (conversationId: string) => summarizableIn([conversationId]);

/** `summarizable` for several conversations at once. */
export const summarizableIn = (conversationIds: readonly string[]) =>
  and(
    inArray(messages.conversationId, [...conversationIds]),
    inArray(messages.role, ["USER", "AGENT", "BOT"]),
    inArray(messages.kind, ["text", "attachment"]),
    ne(messages.status, "draft"),
  );

export async function countSummarizable(db: Db, conversationId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(messages).where(summarizable(conversationId));
  return row?.n ?? 0;
}

const MAX_SUMMARY_LINES = 8;
const MAX_LINE_CHARS = 160;

/**
 * A deterministic summary: the previous summary's lines, then one line per new customer or agent
 * message (its first sentence), keeping the last `MAX_SUMMARY_LINES`. The bot's own answers are left
 * out — they come from the knowledge the prompt carries anyway.
 */
export function extractiveSummary(
  previous: string | null,
  newMessages: readonly { role: string; text: string | null }[],
): string {
  const lines = (previous ?? "")
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean);
  for (const m of newMessages) {
    if (m.role !== "USER" && m.role !== "AGENT") continue;
    const sentence = firstSentence(m.text ?? "");
    if (!sentence) continue;
    const line = `${m.role === "USER" ? "Customer" : "Agent"}: ${sentence}`;
    if (lines.at(-1) !== line) lines.push(line);
  }
  return lines.slice(-MAX_SUMMARY_LINES).join("\n");
}

function firstSentence(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const end = flat.search(/(?<=[.!?。！？])\s/u);
  const sentence = end > 0 ? flat.slice(0, end) : flat;
  return sentence.length > MAX_LINE_CHARS ? `${sentence.slice(0, MAX_LINE_CHARS - 1)}…` : sentence;
}

const positiveInt = (value: unknown) =>
  typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
