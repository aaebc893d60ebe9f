import type { KnowledgeSourceDto, UpdateKnowledgeSourceInput } from "@tandem/contracts";
import { chunks, knowledgeSources } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import type { Config } from "../config.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { assertOutboundUrlAllowed } from "../net/outbound.ts";
import { getKnowledgeSourceInWorkspace } from "./get-knowledge-source-in-workspace.ts";
import { assertOwnerChatbot } from "./owner-chatbot.ts";
import { publishAfter } from "./publish-knowledge-update.ts";
import { scheduleEmbeddingsAfter } from "./schedule-embeddings-after.ts";
import { loadSourceDto } from "./to-dto.ts";

/** Renames, recategorises or moves a source between a chatbot and the workspace (its chunks follow); `url` only for URL sources. */
export async function updateKnowledgeSource(
  ctx: Ctx,
  input: UpdateKnowledgeSourceInput & { id: string },
  deps: { config: Pick<Config, "outbound"> },
): Promise<KnowledgeSourceDto> {
  const { id, ...changes } = input;
  if (changes.chatbotId !== undefined) await assertOwnerChatbot(ctx, changes.chatbotId);
  if (changes.url) await assertOutboundUrlAllowed(deps.config.outbound, changes.url.url, "url.url");
  const row = await withTransaction(ctx, async (tx) => {
    const before = await getKnowledgeSourceInWorkspace(tx, id, { forUpdate: true });
    if (changes.url && before.type !== "url") {
      throw new DomainError("invalid_input", "Only a URL source has a URL", {
        details: [{ path: "url", message: `a ${before.type} source has no URL` }],
      });
    }
    const [after] = await tx.db
      .update(knowledgeSources)
      .set({
        ...(changes.name !== undefined ? { name: changes.name } : {}),
        ...(changes.category !== undefined ? { category: changes.category } : {}),
        ...(changes.chatbotId !== undefined ? { chatbotId: changes.chatbotId } : {}),
        ...(changes.url ? { metadata: { ...before.metadata, url: changes.url } } : {}),
        updatedAt: new Date(),
      })
      .where(eq(knowledgeSources.id, id))
      .returning();
    // Retrieval filters chunks by their copy of the owner.
    if (changes.chatbotId !== undefined && changes.chatbotId !== before.chatbotId) {
      await tx.db.update(chunks).set({ chatbotId: changes.chatbotId }).where(eq(chunks.sourceId, id));
    }
    await recordAudit(tx, {
      action: "knowledge_source.update",
      entityType: "knowledge_source",
      entityId: id,
      before: { name: before.name, category: before.category, chatbotId: before.chatbotId, url: before.metadata.url },
      after: changes,
    });
    return after!;
  });
  void publishAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.id });
  // Moved to (or from) a chatbot: its chunks may need vectors of another embedding model.
  if (input.chatbotId !== undefined)
    await scheduleEmbeddingsAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.id });
  return loadSourceDto(ctx.db, row);
}
