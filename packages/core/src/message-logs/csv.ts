import type { MessageLogEntry } from "@tandem/contracts";

/**
 * CSV as spreadsheets read it (RFC 4180): every cell quoted when it holds a comma, quote or line
 * break, quotes doubled. A cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, or a
 * tab / carriage return before one) gets a leading `'`, so a customer's "=HYPERLINK(…)" stays text
 * (OWASP "CSV injection").
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: (string | number | boolean | null | undefined)[]) =>
  `${cells.map(csvCell).join(",")}\r\n`;

/** Excel takes a file without it for the local code page and garbles Thai. */
export const UTF8_BOM = "\uFEFF";

export const MESSAGE_LOG_CSV_COLUMNS = [
  "time",
  "message_id",
  "conversation_id",
  "channel_type",
  "channel",
  "contact",
  "role",
  "author",
  "kind",
  "status",
  "text",
  "attachments",
  "error_code",
  "error_message",
  "provider",
  "model",
  "latency_ms",
  "input_tokens",
  "output_tokens",
] as const;

export const messageLogCsvLine = (e: MessageLogEntry) =>
  csvLine([
    e.createdAt,
    e.id,
    e.conversationId,
    e.channel?.type,
    e.channel?.name,
    e.contact?.name,
    e.role,
    e.author.name ?? (e.author.type === "system" ? "System" : null),
    e.kind,
    e.status,
    e.text,
    e.attachments,
    e.errorCode,
    e.errorMessage,
    e.provider,
    e.model,
    e.latencyMs,
    e.inputTokens,
    e.outputTokens,
  ]);
