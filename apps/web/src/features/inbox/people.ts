import type { ConversationDto, InboxOptions, MessageDto } from "@tandem/contracts";

export type InboxMember = InboxOptions["members"][number];

export const memberName = (member: Pick<InboxMember, "name" | "email">) => member.name || member.email;

export const contactName = (conversation: Pick<ConversationDto, "contact">) =>
  conversation.contact?.name ||
  (conversation.contact?.kind === "group"
    ? "LINE group"
    : conversation.contact?.kind === "room"
      ? "LINE room"
      : "Unknown customer");

/** Who wrote a message, as the thread labels it. */
export function senderName(
  message: MessageDto,
  conversation: Pick<ConversationDto, "contact">,
  members: InboxMember[] | undefined,
  /** Group speakers' names seen on other messages (live messages carry the speaker's id only). */
  speakers?: ReadonlyMap<string, string>,
): string {
  if (message.role === "USER" && message.sender) {
    return message.sender.name || speakers?.get(message.sender.contactId) || "Group member";
  }
  if (message.role === "USER") return contactName(conversation);
  if (message.role === "BOT") return "Bot";
  if (message.role === "SYSTEM" && message.kind !== "note") return "System";
  const author = message.authorMemberId ? members?.find((m) => m.id === message.authorMemberId) : undefined;
  if (author) return memberName(author);
  if (message.sentFromOutside) return "Page (another app)";
  return message.role === "SYSTEM" ? "Note" : "Agent";
}

/** The list row's preview line: who wrote the latest message, and what. */
export function previewOf(conversation: ConversationDto): string {
  const last = conversation.lastMessage;
  if (!last) return "No messages yet";
  const text = last.text?.trim() || "Attachment";
  if (last.kind === "note") return `Note: ${text}`;
  if (last.role === "AGENT") return `Agent: ${text}`;
  if (last.role === "BOT") return `Bot: ${text}`;
  return text;
}

/** The names of a group's speakers, from the messages that carry them. */
export function speakerNames(messages: readonly MessageDto[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of messages) if (m.sender?.name) names.set(m.sender.contactId, m.sender.name);
  return names;
}
