import { relations } from "drizzle-orm";
import { index, jsonb, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns.ts";
import { workspaces } from "./identity.ts";

/**
 * LLM provider credentials of a workspace, each with a name unique in the workspace ("OpenAI prod",
 * "Ollama local"); a workspace may hold several of one kind. A chatbot names one (`chatbot.credential_id`)
 * or, without one, uses the workspace's oldest credential of its kind (what `/settings/provider`
 * edits). The key is stored only as an envelope string from core/secrets; `keyHint` is what the
 * dashboard shows after save. OFFLINE needs no key and no row: chatbots default to it.
 */

export const providerKind = pgEnum("provider_kind", ["OPENAI", "GEMINI", "OPENROUTER", "OPENAI_COMPATIBLE", "OFFLINE"]);

export const providerCredentials = pgTable(
  "provider_credential",
  {
    id: idColumn("providerCredential"),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    /**
     * Unique in the workspace. Left out (or empty) on insert, a trigger names the row after its kind
     * ("OpenAI"), as the migration named the rows that existed before names.
     */
    name: text("name").notNull().default(""),
    kind: providerKind("kind").notNull(),
    apiKeyEncrypted: text("api_key_encrypted"),
    keyHint: text("key_hint"),
    baseUrl: text("base_url"),
    defaultModel: text("default_model"),
    /** Model used for knowledge embeddings with this provider; null = no embeddings (full-text only). */
    embeddingModel: text("embedding_model"),
    extraHeaders: jsonb("extra_headers").$type<Record<string, string>>().notNull().default({}),
    /** `ok` or the error code of the last connection test. */
    lastTestStatus: text("last_test_status"),
    lastTestError: text("last_test_error"),
    lastTestedAt: tstz("last_tested_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("provider_credential_workspace_name_key").on(t.workspaceId, t.name),
    index("provider_credential_workspace_kind_idx").on(t.workspaceId, t.kind, t.createdAt),
  ],
);

export const providerCredentialsRelations = relations(providerCredentials, ({ one }) => ({
  workspace: one(workspaces, { fields: [providerCredentials.workspaceId], references: [workspaces.id] }),
}));
