import { chatbots, type Db, promptVersions } from "@tandem/db";
import { eq, sql } from "drizzle-orm";
import type { PromptVersionRow } from "./to-dto.ts";

export interface NewPromptVersion {
  text: string;
  method: PromptVersionRow["method"];
  authorId: string | null;
  note?: string | null | undefined;
  metadata?: Record<string, unknown>;
}

/**
 * Adds the next version of a chatbot's prompt and makes it live (the text the bot answers with and
 * the version its messages name), in the caller's transaction. The caller holds the chatbot row's
 * lock (`getChatbotInWorkspace(…, {forUpdate: true})`), so the next number is free; the unique
 * `(chatbot_id, version)` index is the backstop. The one writer of prompt versions after version 1:
 * the prompt routes and `/settings/provider` both come here.
 */
export async function savePromptVersion(db: Db, chatbotId: string, input: NewPromptVersion): Promise<PromptVersionRow> {
  const [version] = await db
    .insert(promptVersions)
    .values({
      chatbotId,
      version: sql`(select coalesce(max(${promptVersions.version}), 0) + 1 from ${promptVersions} where ${promptVersions.chatbotId} = ${chatbotId})`,
      text: input.text,
      authorId: input.authorId,
      method: input.method,
      note: input.note ?? null,
      metadata: input.metadata ?? {},
    })
    .returning();
  await db
    .update(chatbots)
    .set({ systemPrompt: input.text, currentPromptVersionId: version!.id })
    .where(eq(chatbots.id, chatbotId));
  return version!;
}
