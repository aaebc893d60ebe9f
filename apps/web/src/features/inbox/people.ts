import type { ConversationDto, InboxOptions, MessageDto } from "@tandem/contracts";

export type InboxMember = InboxOptions["members"][number];

export const memberName = (member: Pick<InboxMember, "name" | "email">) => member.name || member.email;

export const contactName = (conversation: Pick<ConversationDto, "contact">) =>
  conversation.contact?.name || "Unknown customer";

/** Who wrote a message, as the thread labels it. */
export function senderName(
  message: MessageDto,
  conversation: Pick<ConversationDto, "contact">,
  members: InboxMember[] | undefined,
): string {
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
