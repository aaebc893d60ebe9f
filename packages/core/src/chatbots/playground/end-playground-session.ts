import type { PlaygroundSessionDto } from "@tandem/contracts";
import { playgroundSessions } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { recordAudit } from "../../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../../context.ts";
import { assertActorCan } from "../../members/guard.ts";
import { getChatbotInWorkspace } from "../get-chatbot-in-workspace.ts";
import { getPlaygroundSessionInWorkspace } from "./get-playground-session-in-workspace.ts";
import { playgroundSessionToDto } from "./to-dto.ts";

/** Ends a session: it keeps its messages and can be read, but answers no more (409). Ending it again changes nothing. */
export async function endPlaygroundSession(
  ctx: Ctx,
  chatbotId: string,
  sessionId: string,
): Promise<PlaygroundSessionDto> {
  assertActorCan(ctx, "chatbots.manage");
  return withTransaction(ctx, async (tx) => {
    await getChatbotInWorkspace(tx, chatbotId);
    const session = await getPlaygroundSessionInWorkspace(tx, chatbotId, sessionId);
    if (!session.active) return playgroundSessionToDto(session);
    const [ended] = await tx.db
      .update(playgroundSessions)
      .set({ active: false, endedAt: new Date() })
      .where(and(eq(playgroundSessions.id, session.id), eq(playgroundSessions.active, true)))
      .returning();
    // Ended concurrently by someone else: theirs is the end.
    if (!ended) return playgroundSessionToDto(await getPlaygroundSessionInWorkspace(tx, chatbotId, sessionId));
    await recordAudit(tx, {
      action: "playground_session.end",
      entityType: "playground_session",
      entityId: session.id,
      before: { active: true },
      after: { active: false, endedAt: ended.endedAt?.toISOString() },
    });
    return playgroundSessionToDto(ended);
  });
}
