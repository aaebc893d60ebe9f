import { z } from "zod";

/**
 * Bot behaviour (`/api/v1/settings/bot`): what the default chatbot's prompt says about the brand, its
 * guardrails and its memory — the chatbot settings the prompt builder and the guardrails read on
 * every reply. The LLM itself is chosen in the provider settings. Reads give the effective values
 * (defaults filled in); a save replaces them all.
 */

const line = z.string().trim().min(1).max(500);
const lines = z.array(line).max(50);

export const BotPromptVariables = z.object({
  /** `{brand_name}`. */
  brandName: z.string().trim().max(100),
  /** `{tone}`, e.g. "friendly and concise". */
  tone: z.string().trim().max(200),
  /** `{do_list}`: what the bot should do. */
  doList: lines,
  /** `{dont_list}`: what it must not do. */
  dontList: lines,
  /** `{policy_snippets}`: short policies it may quote. */
  policySnippets: z.array(z.string().trim().min(1).max(2000)).max(30),
});
export type BotPromptVariables = z.infer<typeof BotPromptVariables>;

export const BotGuardrails = z.object({
  /** Flag customer messages and withhold bot answers with a listed word. */
  profanityFilter: z.boolean(),
  /**
   * Word lists by language code (`en`, `th`, …) replacing that language's built-in list; `[]` turns a
   * language off. Entries ending in `*` are prefixes. Languages not named keep their built-in list.
   */
  profanityWords: z.record(
    z.string().regex(/^[a-z]{2,3}$/, "a language code such as en or th"),
    z.array(line).max(500),
  ),
  /** Bot replies in a row without a person before the next one hands off. */
  maxConsecutiveBotReplies: z.number().int().min(1).max(50),
  /** The offline provider's minimum score (0–1) to answer rather than hand off. */
  confidenceThreshold: z.number().min(0).max(1),
  /** Withhold a refusal or an unsure answer and hand off. */
  handoffOnRefusal: z.boolean(),
  /** Added to the built-in refusal phrases. */
  refusalPhrases: lines,
  /** Added to the built-in ways of asking for a person. */
  humanRequestPhrases: lines,
  /**
   * What the customer is told when the conversation goes to a person: null or absent = the built-in
   * message in the customer's language, `""` = nothing. Other languages: the chatbot's translations.
   */
  handoffMessage: z.string().trim().max(1000, "at most 1,000 characters").nullable().optional(),
});
export type BotGuardrails = z.infer<typeof BotGuardrails>;

export const BotMemory = z.object({
  /** Turns sent to the model as chat messages. */
  lastNMessages: z.number().int().min(1).max(50),
  /** Messages between two updates of the rolling summary. */
  summarizeAfter: z.number().int().min(2).max(500),
  /** Budget of the whole prompt, in estimated tokens. */
  maxPromptTokens: z.number().int().min(500).max(128_000),
});
export type BotMemory = z.infer<typeof BotMemory>;

export const UpdateBotSettingsInput = z.object({
  promptVariables: BotPromptVariables,
  guardrails: BotGuardrails,
  memory: BotMemory,
});
export type UpdateBotSettingsInput = z.infer<typeof UpdateBotSettingsInput>;

export const BotSettingsDto = UpdateBotSettingsInput.extend({
  /** The workspace's default chatbot; null until its settings are first saved. */
  chatbotId: z.string().nullable(),
  /** The built-in profanity lists' languages (override one in `guardrails.profanityWords`). */
  builtInProfanityLanguages: z.array(z.string()),
  /** The built-in handoff message in the chatbot's language, shown while `guardrails.handoffMessage` is null. */
  defaultHandoffMessage: z.string(),
});
export type BotSettingsDto = z.infer<typeof BotSettingsDto>;
