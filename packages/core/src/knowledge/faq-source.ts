import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { getKnowledgeSourceInWorkspace, type KnowledgeSourceRow } from "./get-knowledge-source-in-workspace.ts";

/** The source, which must be an FAQ set (400 otherwise). */
export async function getFaqSourceInWorkspace(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<KnowledgeSourceRow> {
  const source = await getKnowledgeSourceInWorkspace(ctx, id, options);
  if (source.type !== "faq") {
    throw new DomainError("invalid_input", `FAQ entries belong to an FAQ source, not to a ${source.type} source`, {
      details: [{ path: "sourceId", message: "not an FAQ source" }],
    });
  }
  return source;
}
