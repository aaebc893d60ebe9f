/**
 * Which alert a live event deserves. Two socket events carry the news, both sent to the whole
 * workspace: `message:new` (a customer wrote: a new conversation, or a message in one assigned to me)
 * and `conversation:updated` (sent for every change — a bot reply, a tag, a read — so a handoff is
 * read from the difference between the copy the inbox had and the new one). What was announced is
 * remembered, so the same message or handoff never alerts twice. Times are compared with the server's
 * own timestamps, never with the browser's clock.
 */
import type { ConversationDto, MessageDto } from "@tandem/contracts";

export type AlertKind = "newConversation" | "myConversation" | "handoff";

/** A conversation update counts as news while its latest message is this recent. */
const FRESH_MS = 2 * 60_000;
/** A conversation is new when a customer message comes this soon after it was created. */
const NEW_CONVERSATION_MS = 60_000;

const ms = (iso: string) => Date.parse(iso);

/** What the inbox already announced (or chose not to), for the lifetime of the page. */
export interface AlertMemory {
  messages: Set<string>;
  newConversations: Set<string>;
  /** Conversations whose current handoff was announced; forgotten once they stop needing a human. */
  handoffs: Set<string>;
}

export function createAlertMemory(): AlertMemory {
  return { messages: new Set(), newConversations: new Set(), handoffs: new Set() };
}

/**
 * A customer's message (`message:new`, role USER) in `conversation`: a new conversation, a message in
 * one assigned to me (`myMemberId`; assignee ids are member ids), both, or neither. Most important first.
 */
export function customerMessageAlerts(
  message: Pick<MessageDto, "id" | "role" | "createdAt">,
  conversation: ConversationDto,
  myMemberId: string | null,
  memory: AlertMemory,
): AlertKind[] {
  if (message.role !== "USER" || memory.messages.has(message.id)) return [];
  memory.messages.add(message.id);
  const kinds: AlertKind[] = [];
  if (
    !memory.newConversations.has(conversation.id) &&
    ms(message.createdAt) - ms(conversation.createdAt) <= NEW_CONVERSATION_MS
  ) {
    memory.newConversations.add(conversation.id);
    kinds.push("newConversation");
  }
  if (myMemberId !== null && conversation.assigneeId === myMemberId) kinds.push("myConversation");
  return kinds;
}

/**
 * A handoff: the conversation needs a human now and did not before. `previous` is the copy the inbox
 * had (undefined for a conversation outside the loaded lists: then only a fresh one counts, so an old
 * conversation that merely got a tag does not alert).
 */
export function isNewHandoff(
  previous: ConversationDto | undefined,
  next: ConversationDto,
  memory: AlertMemory,
): boolean {
  if (!next.needsHuman) {
    memory.handoffs.delete(next.id);
    return false;
  }
  if (memory.handoffs.has(next.id)) return false;
  const fresh = next.lastMessage !== null && ms(next.updatedAt) - ms(next.lastMessage.createdAt) <= FRESH_MS;
  if (previous ? previous.needsHuman : !fresh) return false;
  memory.handoffs.add(next.id);
  return true;
}
