import { conversations } from "@tandem/db";
import { and, eq, type SQL } from "drizzle-orm";

/**
 * A conversation the inbox may show and act on: of this workspace, and not a playground test chat
 * (those belong to the chatbot's playground, `chatbots/playground/`, and are reached through it only).
 * Every inbox verb that takes a conversation id from a caller looks it up through this, so a
 * playground conversation is "not found" there however its id was learnt.
 */
export const inInbox = (workspaceId: string, conversationId: string): SQL =>
  and(
    eq(conversations.id, conversationId),
    eq(conversations.workspaceId, workspaceId),
    eq(conversations.isPlayground, false),
  )!;
