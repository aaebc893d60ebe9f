import { ChannelType, type MessageLogEntry, MessageRole, MessageStatus } from "@tandem/contracts";

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

/** A `datetime-local` value (browser time, to the minute) of an instant, or "" for none or a bad one. */
function localDateTime(iso: string | null): string {
  const time = iso ? new Date(iso) : null;
  if (!time || Number.isNaN(time.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())}T${pad(time.getHours())}:${pad(time.getMinutes())}`;
}

/**
 * The filters a `/logs` URL holds — the same parameters as the list and the export
 * (`logSearchParams`), so a shared link shows the same rows — back into the page's form. Values that
 * are not one of the choices are ignored.
 */
export function filtersFromSearchParams(params: Pick<URLSearchParams, "get">): LogFilters {
  const one = <T extends string>(key: string, allowed: readonly T[]): T | "" => {
    const value = params.get(key);
    return value && (allowed as readonly string[]).includes(value) ? (value as T) : "";
  };
  return {
    channelId: params.get("channelId") ?? "",
    channelType: one("channelType", ChannelType.options),
    chatbotId: params.get("chatbotId") ?? "",
    agentId: params.get("agentId") ?? "",
    role: one("role", MessageRole.options),
    status: one("status", MessageStatus.options),
    from: localDateTime(params.get("from")),
    to: localDateTime(params.get("to")),
    text: params.get("text") ?? "",
  };
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
