import { chatbots, type Db } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { createInitialPromptVersion } from "../bots/initial-prompt-version.ts";
import { actorUserId, type Ctx } from "../context.ts";

export type ChatbotRow = typeof chatbots.$inferSelect;

/** The settings of a chatbot that does not exist yet: the database defaults, on the offline provider. */
export const NEW_CHATBOT_SETTINGS = {
  provider: "OFFLINE",
  model: "offline-faq",
  temperature: 0.3,
  maxTokens: 512,
  systemPrompt: "",
} as const;

/** The workspace's default chatbot (not deleted), the one provider settings apply to. */
export async function findDefaultChatbot(
  db: Db,
  workspaceId: string,
  options: { forUpdate?: boolean } = {},
): Promise<ChatbotRow | undefined> {
  const query = db
    .select()
    .from(chatbots)
    .where(and(eq(chatbots.workspaceId, workspaceId), eq(chatbots.isDefault, true), isNull(chatbots.deletedAt)))
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update") : await query;
  return row;
}

/**
 * Inserts the workspace's default chatbot (active, offline provider, prompt version 1) unless one
 * exists; undefined when another transaction created it first (the one-default-per-workspace unique
 * index). New workspaces get it at creation, so the offline provider answers from the first message.
 */
export async function insertDefaultChatbot(
  db: Db,
  workspaceId: string,
  createdById: string | null,
): Promise<ChatbotRow | undefined> {
  const [inserted] = await db
    .insert(chatbots)
    .values({
      workspaceId,
      name: "Assistant",
      description: "The workspace's default chatbot: provider settings apply to it.",
      status: "active",
      isDefault: true,
      providerKind: NEW_CHATBOT_SETTINGS.provider,
      model: NEW_CHATBOT_SETTINGS.model,
      createdById,
    })
    .onConflictDoNothing()
    .returning();
  if (!inserted) return undefined;
  const versionId = await createInitialPromptVersion(db, inserted, createdById);
  return { ...inserted, currentPromptVersionId: versionId };
}

/**
 * The default chatbot, locked for the caller's transaction; created when the workspace has none (its
 * default was deleted, or the workspace predates default chatbots), so saving provider settings
 * always works. Two saves racing to create it meet at the unique index.
 */
export async function lockOrCreateDefaultChatbot(tx: Ctx): Promise<{ chatbot: ChatbotRow; created: boolean }> {
  const existing = await findDefaultChatbot(tx.db, tx.workspaceId, { forUpdate: true });
  if (existing) return { chatbot: existing, created: false };
  const inserted = await insertDefaultChatbot(tx.db, tx.workspaceId, actorUserId(tx.actor));
  if (inserted) return { chatbot: inserted, created: true };
  const winner = await findDefaultChatbot(tx.db, tx.workspaceId, { forUpdate: true });
  if (!winner) throw new Error("the default chatbot was neither created nor found");
  return { chatbot: winner, created: false };
}
