import type { ChannelType, MessageLogEntry, MessageRole, MessageStatus } from "@tandem/contracts";

/** The log's filters as the page holds them: empty strings are "any". */
export interface LogFilters {
  channelId: string;
  channelType: ChannelType | "";
  chatbotId: string;
  agentId: string;
  role: MessageRole | "";
  status: MessageStatus | "";
  /** `datetime-local` values, in the browser's time zone. */
  from: string;
  to: string;
  text: string;
}

export const EMPTY_FILTERS: LogFilters = {
  channelId: "",
  channelType: "",
  chatbotId: "",
  agentId: "",
  role: "",
  status: "",
  from: "",
  to: "",
  text: "",
};

/** Query parameters for the list and the CSV export: the same filters, so the file is what the table shows. */
export function logSearchParams(filters: LogFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ["channelId", "channelType", "chatbotId", "agentId", "role", "status"] as const) {
    if (filters[key]) params.set(key, filters[key]);
  }
  for (const key of ["from", "to"] as const) {
    const time = filters[key] ? new Date(filters[key]) : null;
    if (time && !Number.isNaN(time.getTime())) params.set(key, time.toISOString());
  }
  if (filters.text.trim()) params.set("text", filters.text.trim());
  return params;
}

/** Where a row opens: the conversation in the inbox, scrolled to the message. */
export const inboxHref = (entry: Pick<MessageLogEntry, "conversationId" | "id">) =>
  `/dashboard?c=${encodeURIComponent(entry.conversationId)}&m=${encodeURIComponent(entry.id)}`;

/** "Somchai", "Anna (agent)", "Bakery bot (bot)", "System". */
export function authorLabel(entry: Pick<MessageLogEntry, "author">): string {
  const { type, name } = entry.author;
  if (type === "system") return "System";
  if (type === "customer") return name ?? "Customer";
  if (type === "agent") return name ?? "Agent (outside Tandem)";
  return name ? `${name} (bot)` : "Bot";
}
