import type { KnowledgeSourceDto } from "@tandem/contracts";
import type { Ctx } from "../context.ts";
import { getKnowledgeSourceInWorkspace } from "./get-knowledge-source-in-workspace.ts";
import { loadSourceDto } from "./to-dto.ts";

export async function getKnowledgeSource(ctx: Ctx, input: { id: string }): Promise<KnowledgeSourceDto> {
  return loadSourceDto(ctx.db, await getKnowledgeSourceInWorkspace(ctx, input.id));
}
