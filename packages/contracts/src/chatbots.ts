import { z } from "zod";
import { BotGuardrails, BotMemory, BotPromptVariables } from "./bot-settings.ts";
import { page } from "./common.ts";
import { ChannelType, ConversationDto, MessageDto } from "./conversations.ts";
import { RetrievalSettingsDto, RetrievalSettingsInput } from "./knowledge.ts";
import { PROVIDER_LIMITS, ProviderKind } from "./providers.ts";

/**
 * Chatbots (`/api/v1/chatbots`, seed S2 §1): many per workspace, each with its provider credential,
 * model settings, behaviour and per-language overrides. The prompt text itself is written through
 * `/chatbots/{id}/prompt` (prompt versions); only a new chatbot may be given its first prompt here.
 */

export const CHATBOT_STATUSES = ["active", "inactive", "testing"] as const;
/** `active` answers customers; `testing` only the playground and the widget preview; `inactive` nobody. */
export const ChatbotStatus = z.enum(CHATBOT_STATUSES);
export type ChatbotStatus = z.infer<typeof ChatbotStatus>;

export const CHATBOT_LIMITS = {
  name: 100,
  description: 1000,
  temperature: { min: 0, max: 2 },
  maxTokens: { min: 1, max: 32_000 },
  /** The reply deadline given to the provider, in milliseconds. */
  timeoutMs: { min: 1_000, max: 120_000 },
  welcomeMessage: 2000,
  suggestedQuestions: { count: 10, length: 200 },
  systemPrompt: PROVIDER_LIMITS.systemPromptLength,
} as const;

const L = CHATBOT_LIMITS;

/** A language code such as `en`, `th` or `pt-BR`. */
export const LanguageCode = z
  .string()
  .trim()
  .regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, "must be a language code such as en, th or pt-BR");

const temperature = z
  .number({ error: "must be a number" })
  .min(L.temperature.min, `must be between ${L.temperature.min} and ${L.temperature.max}`)
  .max(L.temperature.max, `must be between ${L.temperature.min} and ${L.temperature.max}`);
const maxTokens = z
  .number({ error: "must be a whole number" })
  .int("must be a whole number")
  .min(L.maxTokens.min, `must be between ${L.maxTokens.min} and ${L.maxTokens.max.toLocaleString("en")}`)
  .max(L.maxTokens.max, `must be between ${L.maxTokens.min} and ${L.maxTokens.max.toLocaleString("en")}`);
const timeoutMs = z
  .number({ error: "must be a whole number of milliseconds" })
  .int("must be a whole number of milliseconds")
  .min(L.timeoutMs.min, `must be between ${L.timeoutMs.min} and ${L.timeoutMs.max} milliseconds`)
  .max(L.timeoutMs.max, `must be between ${L.timeoutMs.min} and ${L.timeoutMs.max} milliseconds`);

/**
 * Knowledge filters, stored as given (the knowledge issue reads them): lists of ids or names by
 * filter, e.g. `{ sourceIds: [...], documentTypes: ["faq"], categories: ["shipping"] }`.
 */
export const KnowledgeFiltersInput = z.record(
  z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,49}$/, "must be a filter name such as sourceIds or categories"),
  z.array(z.string().trim().min(1).max(200)).max(200),
);

const settingsFields = {
  description: z.string().trim().max(L.description).nullable(),
  status: ChatbotStatus,
  /**
   * A named credential of the workspace (`/providers/credentials`); the chatbot answers with its kind.
   * `null` = the workspace's credential of `provider` (or the offline provider, which needs none).
   */
  credentialId: z.string().trim().min(1).max(100).nullable(),
  /** The provider kind when no credential is named; with one, it must be that credential's kind. */
  provider: ProviderKind,
  model: z.string().trim().min(1, "enter a model name").max(PROVIDER_LIMITS.modelLength),
  temperature,
  maxTokens,
  timeoutMs,
  language: LanguageCode,
  welcomeMessage: z.string().trim().max(L.welcomeMessage).nullable(),
  suggestedQuestions: z
    .array(z.string().trim().min(1, "a suggested question cannot be empty").max(L.suggestedQuestions.length))
    .max(L.suggestedQuestions.count, `at most ${L.suggestedQuestions.count} suggested questions`),
  promptVariables: BotPromptVariables.partial(),
  guardrails: BotGuardrails.partial(),
  memory: BotMemory.partial(),
  knowledgeFilters: KnowledgeFiltersInput,
  /** Similarity threshold, passages per answer and the embedding model (see `RetrievalSettingsInput`). */
  retrieval: RetrievalSettingsInput,
};

/** `POST /api/v1/chatbots`. Unknown fields are refused (400), so a typo never goes unnoticed. */
export const CreateChatbotInput = z.strictObject({
  name: z.string().trim().min(1, "enter a name").max(L.name),
  ...z.object(settingsFields).partial().shape,
  /** The first prompt (version 1); empty or left out = the built-in template. */
  systemPrompt: z.string().max(L.systemPrompt).optional(),
});
export type CreateChatbotInput = z.infer<typeof CreateChatbotInput>;

/**
 * `PATCH /api/v1/chatbots/{id}`: only the fields given change. `isDefault: true` makes this chatbot
 * the one new channels get (the previous default loses the role). The prompt is not here: it is
 * versioned through `PUT /chatbots/{id}/prompt`.
 */
export const UpdateChatbotInput = z
  .strictObject({
    name: z.string().trim().min(1, "enter a name").max(L.name),
    ...settingsFields,
    isDefault: z.literal(true, { error: "can only be true: make another chatbot the default instead" }),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export type UpdateChatbotInput = z.infer<typeof UpdateChatbotInput>;

export const ChatbotTranslationDto = z.object({
  languageCode: z.string(),
  welcomeMessage: z.string().nullable(),
  /** Replaces the system prompt for customers of this language; null = the chatbot's own prompt. */
  systemPrompt: z.string().nullable(),
  /** What these customers are told at a handoff; null = the chatbot's or the built-in one, "" = nothing. */
  handoffMessage: z.string().nullable(),
  updatedAt: z.string(),
});
export type ChatbotTranslationDto = z.infer<typeof ChatbotTranslationDto>;

/** `PUT /api/v1/chatbots/{id}/translations/{languageCode}`: the overrides of one language (null = none). */
export const PutChatbotTranslationInput = z
  .strictObject({
    welcomeMessage: z.string().trim().max(L.welcomeMessage).nullable().optional(),
    systemPrompt: z.string().max(L.systemPrompt).nullable().optional(),
    /** `""` = tell these customers nothing at a handoff. */
    handoffMessage: z.string().trim().max(1000, "at most 1,000 characters").nullable().optional(),
  })
  .refine(
    (v) => Boolean(v.welcomeMessage || v.systemPrompt) || typeof v.handoffMessage === "string",
    "Give a welcome message, a system prompt or a handoff message",
  );
export type PutChatbotTranslationInput = z.infer<typeof PutChatbotTranslationInput>;

export const ChatbotDto = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  status: ChatbotStatus,
  /** The chatbot new channels get, and the one `/settings/provider` and `/settings/bot` edit. */
  isDefault: z.boolean(),
  provider: ProviderKind,
  /** The named credential it answers with; null = the workspace's credential of `provider`. */
  credential: z.object({ id: z.string(), name: z.string(), apiKeyHint: z.string().nullable() }).nullable(),
  model: z.string().nullable(),
  temperature: z.number(),
  maxTokens: z.number().int(),
  timeoutMs: z.number().int(),
  language: z.string(),
  welcomeMessage: z.string().nullable(),
  suggestedQuestions: z.array(z.string()),
  promptVariables: z.record(z.string(), z.unknown()),
  guardrails: z.record(z.string(), z.unknown()),
  memory: z.record(z.string(), z.unknown()),
  knowledgeFilters: z.record(z.string(), z.unknown()),
  retrieval: RetrievalSettingsDto,
  currentPromptVersionId: z.string().nullable(),
  /** The public chat API key's last 8 characters; null until one is generated. */
  apiKeyHint: z.string().nullable(),
  /** The channels it answers (connected ones). */
  channels: z.array(z.object({ id: z.string(), type: ChannelType, name: z.string(), status: z.string() })),
  translations: z.array(ChatbotTranslationDto),
  /** S2's overview: inbox conversations (playground excluded), distinct customers, latest activity. */
  stats: z.object({
    conversations: z.number().int(),
    uniqueUsers: z.number().int(),
    lastActivityAt: z.string().nullable(),
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChatbotDto = z.infer<typeof ChatbotDto>;

export const ChatbotListQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  status: ChatbotStatus.optional(),
});
export type ChatbotListQuery = z.infer<typeof ChatbotListQuery>;

export const ChatbotListResponse = page(ChatbotDto);
export type ChatbotListResponse = z.infer<typeof ChatbotListResponse>;

export const ChatbotConversationListQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
});
export type ChatbotConversationListQuery = z.infer<typeof ChatbotConversationListQuery>;

export const ChatbotConversationListResponse = page(ConversationDto);
export type ChatbotConversationListResponse = z.infer<typeof ChatbotConversationListResponse>;

/** `GET /chatbots/{id}/conversations/{conversationId}`: the conversation and its newest messages, oldest first. */
export const ChatbotConversationDetail = z.object({
  conversation: ConversationDto,
  messages: z.array(MessageDto),
  /** Older messages exist: page them with `GET /conversations/{id}/messages?cursor=…`. */
  olderMessagesCursor: z.string().nullable(),
});
export type ChatbotConversationDetail = z.infer<typeof ChatbotConversationDetail>;

/** `POST /chatbots/{id}/regenerate-token`: the key, shown this once. */
export const ChatbotApiKeyDto = z.object({
  apiKey: z.string(),
  apiKeyHint: z.string(),
});
export type ChatbotApiKeyDto = z.infer<typeof ChatbotApiKeyDto>;

// ── Named provider credentials (`/api/v1/providers/credentials`) ──────────────────────────────────

const httpUrl = z
  .string()
  .trim()
  .max(PROVIDER_LIMITS.baseUrlLength)
  .pipe(z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }));

export const CredentialKindEnum = z.enum(["OPENAI", "GEMINI", "OPENROUTER", "OPENAI_COMPATIBLE"], {
  error: "must be OPENAI, GEMINI, OPENROUTER or OPENAI_COMPATIBLE",
});

export const NamedCredentialDto = z.object({
  id: z.string(),
  name: z.string(),
  kind: CredentialKindEnum,
  hasApiKey: z.boolean(),
  /** Masked, e.g. `••••a1b2`; null without a key. */
  apiKeyHint: z.string().nullable(),
  baseUrl: z.string().nullable(),
  defaultModel: z.string().nullable(),
  lastTest: z
    .object({ ok: z.boolean(), code: z.string().nullable(), message: z.string().nullable(), at: z.string() })
    .nullable(),
  /** The chatbots that name it. */
  usedBy: z.array(z.object({ id: z.string(), name: z.string() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type NamedCredentialDto = z.infer<typeof NamedCredentialDto>;

export const NamedCredentialListResponse = z.object({ data: z.array(NamedCredentialDto) });
export type NamedCredentialListResponse = z.infer<typeof NamedCredentialListResponse>;

const credentialName = z.string().trim().min(1, "enter a name").max(100);

export const CreateCredentialInput = z.strictObject({
  name: credentialName,
  kind: CredentialKindEnum,
  apiKey: z.string().trim().max(PROVIDER_LIMITS.apiKeyLength).optional(),
  baseUrl: z.union([z.literal(""), httpUrl]).optional(),
  defaultModel: z.string().trim().min(1).max(PROVIDER_LIMITS.modelLength).optional(),
});
export type CreateCredentialInput = z.infer<typeof CreateCredentialInput>;

/** `apiKey` / `baseUrl`: omitted → kept, `null` or `""` → cleared, a value → replaced. The kind never changes. */
export const UpdateCredentialInput = z
  .strictObject({
    name: credentialName,
    apiKey: z.string().trim().max(PROVIDER_LIMITS.apiKeyLength).nullable(),
    baseUrl: z.union([z.literal(""), httpUrl]).nullable(),
    defaultModel: z.string().trim().min(1).max(PROVIDER_LIMITS.modelLength).nullable(),
  })
  .partial()
  .refine((v) => Object.keys(v).length > 0, "Nothing to update");
export type UpdateCredentialInput = z.infer<typeof UpdateCredentialInput>;

/** `POST /providers/credentials/{id}/test`: the model to try (default: the credential's default model). */
export const TestCredentialInput = z.object({
  model: z.string().trim().min(1).max(PROVIDER_LIMITS.modelLength).optional(),
});
export type TestCredentialInput = z.infer<typeof TestCredentialInput>;
