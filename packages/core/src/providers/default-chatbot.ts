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
 * The default chatbot, locked for the caller's transaction; created (active, offline provider) when
 * the workspace has none, so saving provider settings works in a workspace without chatbots. Two
 * saves racing to create it meet at the one-default-per-workspace unique index.
 */
export async function lockOrCreateDefaultChatbot(tx: Ctx): Promise<{ chatbot: ChatbotRow; created: boolean }> {
  const existing = await findDefaultChatbot(tx.db, tx.workspaceId, { forUpdate: true });
  if (existing) return { chatbot: existing, created: false };
  const [inserted] = await tx.db
    .insert(chatbots)
    .values({
      workspaceId: tx.workspaceId,
      name: "Assistant",
      description: "The workspace's default chatbot, created with the provider settings.",
      status: "active",
      isDefault: true,
      providerKind: NEW_CHATBOT_SETTINGS.provider,
      model: NEW_CHATBOT_SETTINGS.model,
      createdById: actorUserId(tx.actor),
    })
    .onConflictDoNothing()
    .returning();
  if (inserted) {
    const versionId = await createInitialPromptVersion(tx.db, inserted, actorUserId(tx.actor));
    return { chatbot: { ...inserted, currentPromptVersionId: versionId }, created: true };
  }
  const winner = await findDefaultChatbot(tx.db, tx.workspaceId, { forUpdate: true });
  if (!winner) throw new Error("the default chatbot was neither created nor found");
  return { chatbot: winner, created: false };
}
