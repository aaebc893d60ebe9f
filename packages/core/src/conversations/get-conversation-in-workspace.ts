import { conversations } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";

/** The conversation if it belongs to the caller's workspace; otherwise "not found", never "forbidden". */
export async function getConversationInWorkspace(ctx: Pick<Ctx, "db" | "workspaceId">, conversationId: string) {
  const [row] = await ctx.db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), eq(conversations.workspaceId, ctx.workspaceId)))
    .limit(1);
  if (!row) throw new DomainError("conversation_not_found", "Conversation not found");
  return row;
}
