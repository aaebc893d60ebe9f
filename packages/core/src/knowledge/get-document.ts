import type { KnowledgeDocumentDto } from "@tandem/contracts";
import type { Ctx } from "../context.ts";
import { getDocumentInWorkspace } from "./get-document-in-workspace.ts";
import { loadDocumentDto } from "./to-dto.ts";

export async function getDocument(ctx: Ctx, input: { id: string }): Promise<KnowledgeDocumentDto> {
  return loadDocumentDto(ctx.db, await getDocumentInWorkspace(ctx, input.id));
}
