import type { PromptDto, PromptVersionDto, PromptVersionSummary } from "@tandem/contracts";
import { type Db, promptVersions, users } from "@tandem/db";
import { eq } from "drizzle-orm";
import { DEFAULT_PROMPT_TEMPLATE, PROMPT_VARIABLES } from "../../bots/prompt.ts";
import type { ChatbotRow } from "../get-chatbot-in-workspace.ts";

export type PromptVersionRow = typeof promptVersions.$inferSelect;
export type VersionWithAuthor = { version: PromptVersionRow; authorName: string | null };

/** A version with its author's name: what every prompt read selects. */
export const versionWithAuthor = (db: Db) =>
  db
    .select({ version: promptVersions, authorName: users.name })
    .from(promptVersions)
    .leftJoin(users, eq(users.id, promptVersions.authorId));

export function versionSummaryToDto(row: VersionWithAuthor, liveVersionId: string | null): PromptVersionSummary {
  const v = row.version;
  return {
    versionId: v.id,
    version: v.version,
    author: v.authorId ? { id: v.authorId, name: row.authorName } : null,
    method: v.method,
    note: v.note,
    metadata: v.metadata,
    createdAt: v.createdAt.toISOString(),
    live: v.id === liveVersionId,
  };
}

export const versionToDto = (row: VersionWithAuthor, liveVersionId: string | null): PromptVersionDto => ({
  ...versionSummaryToDto(row, liveVersionId),
  text: row.version.text,
});

/** The live prompt; a chatbot that never had a version shows its stored text without one. */
export function promptToDto(chatbot: ChatbotRow, live: VersionWithAuthor | undefined): PromptDto {
  const common = { variables: [...PROMPT_VARIABLES], defaultTemplate: DEFAULT_PROMPT_TEMPLATE };
  if (!live) {
    return {
      versionId: null,
      version: null,
      text: chatbot.systemPrompt,
      method: null,
      author: null,
      note: null,
      metadata: {},
      createdAt: null,
      ...common,
    };
  }
  const { live: _live, ...summary } = versionSummaryToDto(live, live.version.id);
  return { ...summary, text: live.version.text, ...common };
}

/** The live version of `chatbot` with its author, undefined when it has none. */
export async function loadLiveVersion(db: Db, chatbot: ChatbotRow): Promise<VersionWithAuthor | undefined> {
  if (!chatbot.currentPromptVersionId) return undefined;
  const [row] = await versionWithAuthor(db).where(eq(promptVersions.id, chatbot.currentPromptVersionId)).limit(1);
  return row;
}

/** The ETag of the live prompt: its version id, or `none` before the first version. */
export const promptEtag = (versionId: string | null): string => `"${versionId ?? "none"}"`;
