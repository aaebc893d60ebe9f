import { relations, sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  real,
  text,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns.ts";
import { conversations } from "./conversations.ts";
import { users, workspaces } from "./identity.ts";
import { providerCredentials, providerKind } from "./providers.ts";

/**
 * Chatbots and what hangs off them: prompt history, AI prompt generation, playground sessions and
 * translations. The settings blobs are jsonb because core validates them with zod and fills in
 * defaults (the database default is `{}`), so a new guardrail needs no migration. Child rows that
 * the API addresses by their own id (generation jobs, playground sessions) carry `workspace_id` for
 * the workspace filter; the others are always reached through their chatbot.
 */

export const chatbotStatus = pgEnum("chatbot_status", ["active", "inactive", "testing"]);
export const promptMethod = pgEnum("prompt_method", ["manual", "ai_generated", "rollback"]);
export const promptGenerationStatus = pgEnum("prompt_generation_status", [
  "pending",
  "processing",
  "completed",
  "failed",
]);

export interface PromptVariables {
  brandName?: string;
  tone?: string;
  doList?: string[];
  dontList?: string[];
  policySnippets?: string[];
}

/** Defaults and meaning: core `bots/guardrails.ts` (`resolveGuardrails`). */
export interface GuardrailSettings {
  profanityFilter?: boolean;
  /** Word lists by language code; a language given here replaces that language's built-in list. */
  profanityWords?: Record<string, string[]>;
  maxConsecutiveBotReplies?: number;
  confidenceThreshold?: number;
  handoffOnRefusal?: boolean;
  /** Added to the built-in refusal and uncertainty phrases. */
  refusalPhrases?: string[];
  /** Added to the built-in human-request phrases. */
  humanRequestPhrases?: string[];
  /**
   * What the customer is told when the conversation goes to a person ("" = nothing); unset = the
   * built-in message. Per language: `chatbot_translation.translations.handoffMessage` (core `bots/handoff-message.ts`).
   */
  handoffMessage?: string;
}

/** Defaults and meaning: core `bots/memory.ts` (`resolveMemorySettings`). */
export interface MemorySettings {
  lastNMessages?: number;
  summarizeAfter?: number;
  /** Budget of the whole prompt (system prompt, knowledge, turns), in estimated tokens. */
  maxPromptTokens?: number;
}

export interface KnowledgeFilters {
  sourceIds?: string[];
  types?: string[];
  categories?: string[];
  documentTypes?: string[];
  /** Documents carrying any of these tags. */
  tags?: string[];
}

/** Retrieval settings of a chatbot; absent fields take `RETRIEVAL_DEFAULTS` of the contracts. */
export interface RetrievalSettings {
  similarityThreshold?: number;
  maxResults?: number;
  /** The embedding model new vectors are computed with; null/absent = no vectors (full text only). */
  embedding?: {
    credentialId: string | null;
    provider: "OPENAI" | "GEMINI" | "OPENAI_COMPATIBLE";
    model: string;
    dimensions?: number;
  } | null;
}

/** The vectors that serve retrieval now, and the state of computing those of `RetrievalSettings.embedding`. */
export interface EmbeddingState {
  /** The embedding key (`chunk_embedding.model`) and size searched now; null = full text only. */
  active: { model: string; dimensions: number } | null;
  /** The embedding setting that computed `active` (questions are embedded with it until the switch). */
  activeSetting?: RetrievalSettings["embedding"];
  /** The key being computed (`RetrievalSettings.embedding`'s), while it differs from `active`. */
  target?: string | null;
  state: "off" | "pending" | "processing" | "ready" | "failed";
  error?: string | null;
  /** When the current embedding model was chosen (part of the embedding job's deduplication key). */
  requestedAt?: string;
  updatedAt?: string;
}

export interface FaqEntry {
  question: string;
  answer: string;
}

export interface WidgetConfig {
  theme?: {
    primaryColor?: string;
    fontFamily?: string;
    borderRadius?: string;
    position?: "bottom-right" | "bottom-left";
  };
  /** Host names the widget may run on (`shop.example.com`, `*.example.com`); empty = dashboard preview only. */
  allowedDomains?: string[];
  suggestedQuestions?: string[];
  /** Extra CSS inside the widget's Shadow DOM (no script: see docs/widget.md). */
  customCss?: string | null;
  /** Visitors must `identify` with a valid `userHash` before they can send. */
  requireVerifiedIdentity?: boolean;
}

export const chatbots = pgTable(
  "chatbot",
  {
    id: idColumn("chatbot"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    description: text("description"),
    status: chatbotStatus("status").notNull().default("testing"),
    isDefault: boolean("is_default").notNull().default(false),
    providerKind: providerKind("provider_kind").notNull().default("OFFLINE"),
    /** The named credential it answers with; null = the workspace's credential of `provider_kind`. */
    credentialId: text("credential_id").references(() => providerCredentials.id, { onDelete: "set null" }),
    model: text("model"),
    temperature: real("temperature").notNull().default(0.3),
    maxTokens: integer("max_tokens").notNull().default(512),
    timeoutMs: integer("timeout_ms").notNull().default(30_000),
    systemPrompt: text("system_prompt").notNull().default(""),
    currentPromptVersionId: text("current_prompt_version_id").references((): AnyPgColumn => promptVersions.id, {
      onDelete: "set null",
    }),
    promptVariables: jsonb("prompt_variables").$type<PromptVariables>().notNull().default({}),
    welcomeMessage: text("welcome_message"),
    language: text("language").notNull().default("en"),
    guardrails: jsonb("guardrails").$type<GuardrailSettings>().notNull().default({}),
    memorySettings: jsonb("memory_settings").$type<MemorySettings>().notNull().default({}),
    knowledgeFilters: jsonb("knowledge_filters").$type<KnowledgeFilters>().notNull().default({}),
    retrievalSettings: jsonb("retrieval_settings").$type<RetrievalSettings>().notNull().default({}),
    embeddingState: jsonb("embedding_state").$type<EmbeddingState>().notNull().default({ active: null, state: "off" }),
    faqEntries: jsonb("faq_entries").$type<FaqEntry[]>().notNull().default([]),
    widgetConfig: jsonb("widget_config").$type<WidgetConfig>().notNull().default({}),
    /** SHA-256 of the public chat API key; the key itself is shown once. */
    apiKeyHash: text("api_key_hash"),
    apiKeyHint: text("api_key_hint"),
    /** The widget's identity verification secret (HMAC-SHA256 of a user id), encrypted; shown once. */
    identitySecretEncrypted: text("identity_secret_encrypted"),
    createdById: text("created_by_id").references(() => users.id, { onDelete: "set null" }),
    deletedAt: tstz("deleted_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("chatbot_workspace_idx").on(t.workspaceId),
    index("chatbot_credential_idx").on(t.credentialId),
    uniqueIndex("chatbot_api_key_hash_key").on(t.apiKeyHash),
    uniqueIndex("chatbot_default_per_workspace_key")
      .on(t.workspaceId)
      .where(sql`${t.isDefault} and ${t.deletedAt} is null`),
  ],
);

export const promptVersions = pgTable(
  "prompt_version",
  {
    id: idColumn("promptVersion"),
    chatbotId: text("chatbot_id")
      .notNull()
      .references(() => chatbots.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    text: text("text").notNull(),
    authorId: text("author_id").references(() => users.id, { onDelete: "set null" }),
    method: promptMethod("method").notNull().default("manual"),
    /** The author's reason for the change, shown in the history. */
    note: text("note"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("prompt_version_chatbot_version_key").on(t.chatbotId, t.version)],
);

export interface PromptInputFile {
  name: string;
  mime: string;
  size: number;
  /** Where the upload is kept (path under DATA_DIR or an object key). */
  path: string;
}

export const promptGenerationJobs = pgTable(
  "prompt_generation_job",
  {
    id: idColumn("promptGeneration"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    chatbotId: text("chatbot_id")
      .notNull()
      .references(() => chatbots.id, { onDelete: "cascade" }),
    requestedById: text("requested_by_id").references(() => users.id, { onDelete: "set null" }),
    status: promptGenerationStatus("status").notNull().default("pending"),
    inputFiles: jsonb("input_files").$type<PromptInputFile[]>().notNull().default([]),
    context: text("context"),
    tone: text("tone"),
    instructions: text("instructions"),
    parameters: jsonb("parameters").$type<Record<string, unknown>>().notNull().default({}),
    generatedPrompt: text("generated_prompt"),
    error: text("error"),
    startedAt: tstz("started_at"),
    completedAt: tstz("completed_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("prompt_generation_job_chatbot_idx").on(t.chatbotId, t.createdAt),
    index("prompt_generation_job_status_idx").on(t.status),
  ],
);

export interface PlaygroundOverrides {
  systemPrompt?: string;
  temperature?: number;
  model?: string;
  providerKind?: string;
  maxTokens?: number;
  /** The text of this prompt version of the chatbot instead of the live prompt. */
  promptVersionId?: string;
  /** A provider credential of the workspace (its kind answers). */
  credentialId?: string;
}

export const playgroundSessions = pgTable(
  "playground_session",
  {
    id: idColumn("playgroundSession"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    chatbotId: text("chatbot_id")
      .notNull()
      .references(() => chatbots.id, { onDelete: "cascade" }),
    userId: text("user_id").references(() => users.id, { onDelete: "set null" }),
    overrides: jsonb("overrides").$type<PlaygroundOverrides>().notNull().default({}),
    conversationId: text("conversation_id").references((): AnyPgColumn => conversations.id, { onDelete: "set null" }),
    active: boolean("active").notNull().default(true),
    endedAt: tstz("ended_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("playground_session_chatbot_idx").on(t.chatbotId)],
);

export const chatbotTranslations = pgTable(
  "chatbot_translation",
  {
    id: idColumn("chatbotTranslation"),
    chatbotId: text("chatbot_id")
      .notNull()
      .references(() => chatbots.id, { onDelete: "cascade" }),
    languageCode: text("language_code").notNull(),
    translations: jsonb("translations").$type<Record<string, string>>().notNull().default({}),
    systemPrompt: text("system_prompt"),
    welcomeMessage: text("welcome_message"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("chatbot_translation_chatbot_language_key").on(t.chatbotId, t.languageCode)],
);

export const chatbotsRelations = relations(chatbots, ({ one, many }) => ({
  workspace: one(workspaces, { fields: [chatbots.workspaceId], references: [workspaces.id] }),
  createdBy: one(users, { fields: [chatbots.createdById], references: [users.id] }),
  currentPromptVersion: one(promptVersions, {
    fields: [chatbots.currentPromptVersionId],
    references: [promptVersions.id],
    relationName: "chatbot_current_prompt_version",
  }),
  promptVersions: many(promptVersions, { relationName: "chatbot_prompt_versions" }),
  promptGenerationJobs: many(promptGenerationJobs),
  playgroundSessions: many(playgroundSessions),
  translations: many(chatbotTranslations),
}));

export const promptVersionsRelations = relations(promptVersions, ({ one }) => ({
  chatbot: one(chatbots, {
    fields: [promptVersions.chatbotId],
    references: [chatbots.id],
    relationName: "chatbot_prompt_versions",
  }),
  author: one(users, { fields: [promptVersions.authorId], references: [users.id] }),
}));

export const promptGenerationJobsRelations = relations(promptGenerationJobs, ({ one }) => ({
  chatbot: one(chatbots, { fields: [promptGenerationJobs.chatbotId], references: [chatbots.id] }),
  requestedBy: one(users, { fields: [promptGenerationJobs.requestedById], references: [users.id] }),
}));

export const playgroundSessionsRelations = relations(playgroundSessions, ({ one }) => ({
  chatbot: one(chatbots, { fields: [playgroundSessions.chatbotId], references: [chatbots.id] }),
  user: one(users, { fields: [playgroundSessions.userId], references: [users.id] }),
  conversation: one(conversations, { fields: [playgroundSessions.conversationId], references: [conversations.id] }),
}));

export const chatbotTranslationsRelations = relations(chatbotTranslations, ({ one }) => ({
  chatbot: one(chatbots, { fields: [chatbotTranslations.chatbotId], references: [chatbots.id] }),
}));
