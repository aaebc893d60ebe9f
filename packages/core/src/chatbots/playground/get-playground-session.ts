import type { PlaygroundSessionDetail } from "@tandem/contracts";
import { messages } from "@tandem/db";
import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { Ctx } from "../../context.ts";
import { messageColumns } from "../../conversations/to-dto.ts";
import { assertActorCan } from "../../members/guard.ts";
import { getChatbotInWorkspace } from "../get-chatbot-in-workspace.ts";
import { getPlaygroundSessionInWorkspace } from "./get-playground-session-in-workspace.ts";
import { playgroundMessageToDto, playgroundSessionToDto } from "./to-dto.ts";

/** A session returns at most this many messages, the oldest first. */
export const PLAYGROUND_SESSION_MESSAGE_LIMIT = 1_000;

/** A session with its messages: the tester's, the bot's answers and SYSTEM notes (handoffs, provider failures). */
export async function getPlaygroundSession(
  ctx: Ctx,
  chatbotId: string,
  sessionId: string,
): Promise<PlaygroundSessionDetail> {
  assertActorCan(ctx, "chatbots.manage");
  await getChatbotInWorkspace(ctx, chatbotId);
  const session = await getPlaygroundSessionInWorkspace(ctx, chatbotId, sessionId);
  const rows = session.conversationId
    ? await ctx.db
        .select(messageColumns)
        .from(messages)
        .where(
          and(
            eq(messages.conversationId, session.conversationId),
            eq(messages.workspaceId, ctx.workspaceId),
            inArray(messages.role, ["USER", "BOT", "SYSTEM"]),
            ne(messages.status, "draft"),
          ),
        )
        .orderBy(asc(messages.createdAt), asc(messages.id))
        .limit(PLAYGROUND_SESSION_MESSAGE_LIMIT)
    : [];
  return { ...playgroundSessionToDto(session), messages: rows.map(playgroundMessageToDto) };
}
