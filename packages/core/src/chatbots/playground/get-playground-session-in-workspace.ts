import { playgroundSessions } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import type { Ctx } from "../../context.ts";
import { DomainError } from "../../errors.ts";

export type PlaygroundSessionRow = typeof playgroundSessions.$inferSelect;

/**
 * The playground session if it belongs to this chatbot in the caller's workspace; otherwise "not
 * found" — another chatbot's or another workspace's session does not exist for the caller.
 */
export async function getPlaygroundSessionInWorkspace(
  ctx: Pick<Ctx, "db" | "workspaceId">,
  chatbotId: string,
  sessionId: string,
): Promise<PlaygroundSessionRow> {
  const [row] = await ctx.db
    .select()
    .from(playgroundSessions)
    .where(
      and(
        eq(playgroundSessions.id, sessionId),
        eq(playgroundSessions.chatbotId, chatbotId),
        eq(playgroundSessions.workspaceId, ctx.workspaceId),
      ),
    )
    .limit(1);
  if (!row) throw new DomainError("playground_session_not_found", "Playground session not found");
  return row;
}
