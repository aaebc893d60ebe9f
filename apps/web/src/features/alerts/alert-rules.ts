/**
 * Which alert a live conversation update deserves. The socket sends `conversation:updated` to the
 * whole workspace for every change (a customer message, a bot reply, a tag, a read), so an alert is
 * read from the difference between the copy the inbox had and the new one — and remembered, so the
 * same message or handoff never alerts twice. Times are compared with the server's own timestamps,
 * never with the browser's clock.
 */
import type { ConversationDto } from "@tandem/contracts";

export type AlertKind = "newConversation" | "myConversation" | "handoff";

/** In the order one update is announced when it is several things at once (a first message asking for a person). */
export const ALERT_KINDS: readonly AlertKind[] = ["handoff", "newConversation", "myConversation"];

/** A customer message counts as news while the update that carries it is this close to it. */
const FRESH_MS = 2 * 60_000;
/** A conversation is new when its first customer message came this soon after it was created. */
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
 * The kinds this update is, most important first (`ALERT_KINDS` order), and records them in `memory`.
 * `previous` is the copy the inbox had before (undefined when it had none: a conversation outside
 * the loaded lists, or a new one); `myMemberId` is the signed-in member (assignee ids are member ids).
 */
export function alertKindsFor(
  previous: ConversationDto | undefined,
  next: ConversationDto,
  myMemberId: string | null,
  memory: AlertMemory,
): AlertKind[] {
  const kinds: AlertKind[] = [];
  const last = next.lastMessage;
  const fresh = last !== null && ms(next.updatedAt) - ms(last.createdAt) <= FRESH_MS;

  if (!next.needsHuman) memory.handoffs.delete(next.id);
  else if (!memory.handoffs.has(next.id) && (previous ? !previous.needsHuman : fresh)) {
    memory.handoffs.add(next.id);
    kinds.push("handoff");
  }

  const customerWrote =
    last !== null &&
    last.role === "USER" &&
    fresh &&
    last.id !== previous?.lastMessage?.id &&
    !memory.messages.has(last.id);
  if (!customerWrote) return kinds;
  memory.messages.add(last.id);

  if (
    !memory.newConversations.has(next.id) &&
    (previous === undefined || previous.lastMessage === null) &&
    ms(last.createdAt) - ms(next.createdAt) <= NEW_CONVERSATION_MS
  ) {
    memory.newConversations.add(next.id);
    kinds.push("newConversation");
  }
  if (myMemberId !== null && next.assigneeId === myMemberId) kinds.push("myConversation");
  return kinds;
}
