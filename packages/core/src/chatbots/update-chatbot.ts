import type { ChatbotDto, UpdateChatbotInput } from "@tandem/contracts";
import { chatbots } from "@tandem/db";
import { and, eq, isNull, ne } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { scheduleEmbeddings } from "../knowledge/embeddings/embed-knowledge.ts";
import { assertActorCan } from "../members/guard.ts";
import { chatbotValues } from "./chatbot-settings.ts";
import { getChatbotInWorkspace } from "./get-chatbot-in-workspace.ts";
import { chatbotAuditView, chatbotDto } from "./to-dto.ts";

/**
 * `PATCH /chatbots/{id}` (OWNER, ADMIN): only the fields given change, and the next reply uses them —
 * nothing is cached, so switching provider, credential or model needs no restart. `isDefault: true`
 * moves the default role here from the previous default chatbot in the same transaction. Audited
 * (`chatbot.update`, before and after, the API key as its hint only). A new embedding model in
 * `retrieval.embedding` schedules `embed-knowledge`; retrieval keeps the old vectors until it is done.
 */
export async function updateChatbot(ctx: Ctx, chatbotId: string, input: UpdateChatbotInput): Promise<ChatbotDto> {
  assertActorCan(ctx, "chatbots.manage");
  const embeddingChanged = await withTransaction(ctx, async (tx) => {
    const before = await getChatbotInWorkspace(tx, chatbotId, { forUpdate: true });
    const { embeddingChanged, ...values } = await chatbotValues(tx, input, before);
    if (input.isDefault && !before.isDefault) {
      // One default per workspace (a partial unique index): the old one steps down first.
      await tx.db
        .update(chatbots)
        .set({ isDefault: false })
        .where(
          and(
            eq(chatbots.workspaceId, tx.workspaceId),
            eq(chatbots.isDefault, true),
            isNull(chatbots.deletedAt),
            ne(chatbots.id, before.id),
          ),
        );
      values.isDefault = true;
    }
    // Nothing to write (e.g. `isDefault: true` on the default chatbot): the row stays as it is.
    if (Object.keys(values).length === 0) return false;
    const [after] = await tx.db
      .update(chatbots)
      .set(values)
      .where(and(eq(chatbots.id, before.id), eq(chatbots.workspaceId, tx.workspaceId)))
      .returning();
    await recordAudit(tx, {
      action: "chatbot.update",
      entityType: "chatbot",
      entityId: before.id,
      before: chatbotAuditView(before),
      after: chatbotAuditView(after!),
    });
    return Boolean(embeddingChanged);
  });
  // A new embedding model: its vectors are computed in the background; the old ones serve meanwhile.
  if (embeddingChanged) await scheduleEmbeddings(ctx, { workspaceId: ctx.workspaceId, chatbotId });
  return chatbotDto(ctx.db, ctx.workspaceId, chatbotId);
}
