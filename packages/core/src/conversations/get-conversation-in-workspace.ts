import { conversations } from "@tandem/db";
import type { Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { inInbox } from "./in-inbox.ts";

/**
 * The conversation if it belongs to the caller's workspace (and is not a playground chat, `in-inbox.ts`);
 * otherwise "not found", never "forbidden".
 */
export async function getConversationInWorkspace(ctx: Pick<Ctx, "db" | "workspaceId">, conversationId: string) {
  const [row] = await ctx.db.select().from(conversations).where(inInbox(ctx.workspaceId, conversationId)).limit(1);
  if (!row) throw new DomainError("conversation_not_found", "Conversation not found");
  return row;
}
