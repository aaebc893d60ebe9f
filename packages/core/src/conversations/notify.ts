import { type ConversationDto, type MessageDto, rooms, SOCKET_EVENTS } from "@tandem/contracts";
import type { Ctx } from "../context.ts";

/**
 * Live updates from verbs that already hold the DTOs (no second load, unlike `publish.ts`, which
 * jobs use). A context without `realtime` (scripts, some tests) publishes nothing. Call these after
 * the transaction has committed, so listeners never see a change that is rolled back.
 */
export function emitConversation(ctx: Ctx, dto: ConversationDto): void {
  ctx.realtime?.emit(rooms.workspace(ctx.workspaceId), SOCKET_EVENTS.conversationUpdated, dto);
}

export function emitMessage(ctx: Ctx, dto: MessageDto, event: "new" | "updated" = "new"): void {
  const name = event === "new" ? SOCKET_EVENTS.messageNew : SOCKET_EVENTS.messageUpdated;
  ctx.realtime?.emit(rooms.conversation(dto.conversationId), name, dto);
  ctx.realtime?.emit(rooms.workspace(ctx.workspaceId), name, dto);
}
