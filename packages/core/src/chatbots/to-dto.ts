import type { ChatbotDto } from "@tandem/contracts";
import {
  channels,
  chatbots,
  chatbotTranslations,
  conversations,
  type Db,
  providerCredentials,
  rowsOf,
} from "@tandem/db";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { ChatbotRow } from "../bots/chatbot-for.ts";
import { embeddingKey } from "../knowledge/embeddings/embedding-key.ts";
import { vectorSupport } from "../knowledge/embeddings/vector-support.ts";
import { retrievalToDto } from "./retrieval-dto.ts";

type TranslationRow = typeof chatbotTranslations.$inferSelect;

export const translationToDto = (t: TranslationRow) => ({
  languageCode: t.languageCode,
  welcomeMessage: t.welcomeMessage,
  systemPrompt: t.systemPrompt,
  handoffMessage: typeof t.translations.handoffMessage === "string" ? t.translations.handoffMessage : null,
  updatedAt: t.updatedAt.toISOString(),
});

/**
 * The DTOs of some chatbots of one workspace, in the order of `rows`: besides the rows, four reads
 * for all of them together (never one per chatbot) — their connected channels, S2's overview numbers
 * (inbox conversations, distinct customers, latest activity; playground conversations excluded),
 * their translations, their named credentials and the embedding progress of their knowledge.
 */
export async function loadChatbotDtos(db: Db, workspaceId: string, rows: ChatbotRow[]): Promise<ChatbotDto[]> {
  if (rows.length === 0) return [];
  const vectorSearchAvailable = (await vectorSupport(db)).available;
  const ids = rows.map((r) => r.id);
  const credentialIds = [...new Set(rows.flatMap((r) => (r.credentialId ? [r.credentialId] : [])))];
  const [served, stats, translations, credentials, embedded] = await Promise.all([
    db
      .select({
        id: channels.id,
        type: channels.type,
        name: channels.name,
        status: channels.status,
        chatbotId: channels.chatbotId,
      })
      .from(channels)
      .where(
        and(eq(channels.workspaceId, workspaceId), inArray(channels.chatbotId, ids), isNull(channels.disconnectedAt)),
      )
      .orderBy(channels.createdAt, channels.id),
    db
      .select({
        chatbotId: conversations.chatbotId,
        conversations: sql<number>`count(*)::int`,
        uniqueUsers: sql<number>`count(distinct ${conversations.contactId})::int`,
        lastActivityAt: sql<string | null>`max(${conversations.lastMessageAt})`,
      })
      .from(conversations)
      .where(
        and(
          eq(conversations.workspaceId, workspaceId),
          inArray(conversations.chatbotId, ids),
          eq(conversations.isPlayground, false),
        ),
      )
      .groupBy(conversations.chatbotId),
    db
      .select()
      .from(chatbotTranslations)
      .where(inArray(chatbotTranslations.chatbotId, ids))
      .orderBy(chatbotTranslations.languageCode),
    credentialIds.length === 0
      ? Promise.resolve([])
      : db
          .select({
            id: providerCredentials.id,
            name: providerCredentials.name,
            keyHint: providerCredentials.keyHint,
            apiKeyEncrypted: providerCredentials.apiKeyEncrypted,
          })
          .from(providerCredentials)
          .where(and(eq(providerCredentials.workspaceId, workspaceId), inArray(providerCredentials.id, credentialIds))),
    embeddingCounts(db, workspaceId, rows, vectorSearchAvailable),
  ]);
  const statsOf = new Map(stats.map((s) => [s.chatbotId, s]));
  const credentialOf = new Map(credentials.map((c) => [c.id, c]));
  return rows.map((row) => {
    const s = statsOf.get(row.id);
    const credential = row.credentialId ? credentialOf.get(row.credentialId) : undefined;
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      status: row.status,
      isDefault: row.isDefault,
      provider: row.providerKind,
      credential: credential
        ? {
            id: credential.id,
            name: credential.name,
            apiKeyHint: credential.apiKeyEncrypted ? (credential.keyHint ?? "••••") : null,
          }
        : null,
      model: row.model,
      temperature: row.temperature,
      maxTokens: row.maxTokens,
      timeoutMs: row.timeoutMs,
      language: row.language,
      welcomeMessage: row.welcomeMessage,
      suggestedQuestions: row.widgetConfig.suggestedQuestions ?? [],
      promptVariables: { ...row.promptVariables },
      guardrails: { ...row.guardrails },
      memory: { ...row.memorySettings },
      knowledgeFilters: { ...row.knowledgeFilters },
      retrieval: retrievalToDto(row, vectorSearchAvailable, embedded.get(row.id)),
      currentPromptVersionId: row.currentPromptVersionId,
      apiKeyHint: row.apiKeyHint,
      channels: served
        .filter((c) => c.chatbotId === row.id)
        .map((c) => ({ id: c.id, type: c.type, name: c.name, status: c.status })),
      translations: translations.filter((t) => t.chatbotId === row.id).map(translationToDto),
      stats: {
        conversations: s?.conversations ?? 0,
        uniqueUsers: s?.uniqueUsers ?? 0,
        lastActivityAt: s?.lastActivityAt ? new Date(s.lastActivityAt).toISOString() : null,
      },
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  });
}

/**
 * Per chatbot: the chunks it searches (its own and the shared ones) and how many of them have a
 * vector of its embedding model — one grouped query for all of them.
 */
async function embeddingCounts(
  db: Db,
  workspaceId: string,
  rows: ChatbotRow[],
  vectorSearchAvailable: boolean,
): Promise<Map<string, { embedded: number; total: number }>> {
  const bots = JSON.stringify(
    rows.map((r) => ({
      id: r.id,
      key: r.retrievalSettings.embedding ? embeddingKey(r.retrievalSettings.embedding) : null,
    })),
  );
  const withVectors = vectorSearchAvailable;
  const result = await db.execute(sql`
    SELECT b.id, count(c.id)::int AS total,
      ${withVectors ? sql`count(e.chunk_id)::int` : sql`0`} AS embedded
    FROM jsonb_to_recordset(${bots}::jsonb) AS b(id text, key text)
    JOIN chunk c ON c.workspace_id = ${workspaceId} AND (c.chatbot_id = b.id OR c.chatbot_id IS NULL)
    JOIN document d ON d.id = c.document_id AND d.deleted_at IS NULL
    JOIN knowledge_source s ON s.id = c.source_id AND s.deleted_at IS NULL
    ${withVectors ? sql`LEFT JOIN chunk_embedding e ON e.chunk_id = c.id AND e.model = b.key` : sql``}
    GROUP BY b.id`);
  return new Map(
    rowsOf<{ id: string; total: number; embedded: number }>(result).map((r) => [
      r.id,
      { total: Number(r.total), embedded: Number(r.embedded) },
    ]),
  );
}

/** One chatbot's DTO, read again (after a change). */
export async function chatbotDto(db: Db, workspaceId: string, id: string): Promise<ChatbotDto> {
  const rows = await db
    .select()
    .from(chatbots)
    .where(and(eq(chatbots.id, id), eq(chatbots.workspaceId, workspaceId)));
  const [dto] = await loadChatbotDtos(db, workspaceId, rows);
  if (!dto) throw new Error(`chatbot ${id} vanished`);
  return dto;
}

/** What the audit trail keeps of a chatbot: its settings, the key's hint but never its hash. */
export const chatbotAuditView = (row: ChatbotRow) => ({
  name: row.name,
  description: row.description,
  status: row.status,
  isDefault: row.isDefault,
  provider: row.providerKind,
  credentialId: row.credentialId,
  model: row.model,
  temperature: row.temperature,
  maxTokens: row.maxTokens,
  timeoutMs: row.timeoutMs,
  language: row.language,
  welcomeMessage: row.welcomeMessage,
  suggestedQuestions: row.widgetConfig.suggestedQuestions ?? [],
  promptVariables: row.promptVariables,
  guardrails: row.guardrails,
  memory: row.memorySettings,
  knowledgeFilters: row.knowledgeFilters,
  retrieval: row.retrievalSettings,
  keyHint: row.apiKeyHint,
});
