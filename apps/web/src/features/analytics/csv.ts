import type { AnalyticsDay } from "@tandem/contracts";

const COLUMNS: [keyof AnalyticsDay, string][] = [
  ["date", "date"],
  ["conversations", "conversations"],
  ["messages", "messages"],
  ["uniqueUsers", "unique_users"],
  ["botResponses", "bot_responses"],
  ["handoffs", "handoffs"],
  ["deflected", "deflected"],
  ["failedGenerations", "failed_generations"],
];

/** The daily trend as CSV (RFC 4180, CRLF line ends), one row per day. */
export function dailyTrendCsv(days: readonly AnalyticsDay[]): string {
  const lines = [COLUMNS.map(([, header]) => header).join(",")];
  for (const day of days) lines.push(COLUMNS.map(([key]) => String(day[key])).join(","));
  return `${lines.join("\r\n")}\r\n`;
}

/** Hands the text to the browser as a file download. */
export function downloadText(filename: string, text: string, type = "text/csv;charset=utf-8") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}
