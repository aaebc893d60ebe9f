import type { CreateKnowledgeSourceInput, KnowledgeSourceDto } from "@tandem/contracts";
import { knowledgeSources } from "@tandem/db";
import { recordAudit } from "../audit/record-audit.ts";
import type { Config } from "../config.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { queueOf } from "../jobs/job-scope.ts";
import { assertOutboundUrlAllowed } from "../net/outbound.ts";
import { assertOwnerChatbot } from "./owner-chatbot.ts";
import { publishAfter } from "./publish-knowledge-update.ts";
import { syncUrlSource } from "./sync-url-source.ts";
import { loadSourceDto } from "./to-dto.ts";

/**
 * A new source, shared (`chatbotId` null) or owned by one chatbot of the workspace. A URL source is
 * checked against the outbound policy at once (400 `url_not_allowed`) and its first fetch is queued.
 */
export async function createKnowledgeSource(
  ctx: Ctx,
  input: CreateKnowledgeSourceInput,
  deps: { config: Pick<Config, "outbound"> },
): Promise<KnowledgeSourceDto> {
  await assertOwnerChatbot(ctx, input.chatbotId);
  if (input.type === "url" && input.url) await assertOutboundUrlAllowed(deps.config.outbound, input.url.url, "url.url");
  const row = await withTransaction(ctx, async (tx) => {
    const [created] = await tx.db
      .insert(knowledgeSources)
      .values({
        workspaceId: tx.workspaceId,
        chatbotId: input.chatbotId ?? null,
        type: input.type,
        name: input.name,
        category: input.category ?? null,
        metadata: input.type === "url" && input.url ? { url: input.url } : {},
        status: input.type === "url" ? "pending" : "ready",
      })
      .returning();
    if (!created) throw new Error("insert returned no row");
    await recordAudit(tx, {
      action: "knowledge_source.create",
      entityType: "knowledge_source",
      entityId: created.id,
      after: input,
    });
    return created;
  });
  if (row.type === "url") {
    await queueOf(ctx).enqueue(
      syncUrlSource,
      { sourceId: row.id, requestedAt: Date.now() },
      { jobId: `sync-url-source:${row.id}:${Date.now()}`, workspaceId: row.workspaceId },
    );
  }
  void publishAfter(ctx, { workspaceId: row.workspaceId, sourceId: row.id });
  return loadSourceDto(ctx.db, row);
}
