import { cannedResponses } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";

export type CannedResponseRow = typeof cannedResponses.$inferSelect;

/** The canned response if it belongs to the caller's workspace (locked when asked); otherwise "not found". */
export async function getCannedResponseInWorkspace(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  id: string,
  options: { forUpdate?: boolean } = {},
): Promise<CannedResponseRow> {
  const query = ctx.db
    .select()
    .from(cannedResponses)
    .where(and(eq(cannedResponses.id, id), eq(cannedResponses.workspaceId, ctx.workspaceId)))
    .limit(1);
  const [row] = options.forUpdate ? await query.for("update") : await query;
  if (!row) throw new DomainError("canned_response_not_found", "Canned response not found");
  return row;
}
