import { type MessageModeration, rooms, SOCKET_EVENTS } from "@tandem/contracts";
import type { Db, messages } from "@tandem/db";
import type { RealtimePublisher } from "../realtime.ts";
import { loadConversationDtos, messageToDto } from "./to-dto.ts";

/**
 * Live updates for the inbox. A message goes to its conversation's room and to the workspace room
 * (the list shows previews); a conversation change goes to the workspace room with the full DTO.
 */
export function publishMessage(
  realtime: RealtimePublisher,
  workspaceId: string,
  message: Omit<typeof messages.$inferSelect, "search">,
  event: "new" | "updated" = "new",
  /** A group speaker's name, when the caller has it (`MessageDto.sender`). */
  senderNames?: ReadonlyMap<string, string | null>,
  /** Its moderation state, when a flag just changed (`MessageDto.moderation`). */
  moderation?: MessageModeration,
): void {
  const name = event === "new" ? SOCKET_EVENTS.messageNew : SOCKET_EVENTS.messageUpdated;
  const dto = messageToDto(message, senderNames, null, moderation);
  realtime.emit(rooms.conversation(message.conversationId), name, dto);
  realtime.emit(rooms.workspace(workspaceId), name, dto);
}

export function publishConversation(
  realtime: RealtimePublisher,
  db: Db,
  workspaceId: string,
  conversationId: string,
): Promise<void> {
  return publishConversations(realtime, db, workspaceId, [conversationId]);
}

/** Several conversations of a workspace, loaded in one query (a batch of inbound messages). */
export async function publishConversations(
  realtime: RealtimePublisher,
  db: Db,
  workspaceId: string,
  conversationIds: string[],
): Promise<void> {
  for (const dto of await loadConversationDtos(db, workspaceId, conversationIds))
    realtime.emit(rooms.workspace(workspaceId), SOCKET_EVENTS.conversationUpdated, dto);
}
