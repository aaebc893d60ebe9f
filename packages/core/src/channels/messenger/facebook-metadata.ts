/**
 * A Facebook Page's own description — name, about, category, description — as the sales assistant's
 * `{facebook_metadata}` gives it to the bot (seed S1 keeps the Page's metadata for its prompt). Kept in
 * `channel.config.pageMetadata` by `refresh-page-metadata.ts`.
 */

export interface PageMetadata {
  name: string | null;
  about: string | null;
  category: string | null;
  description: string | null;
  /** ISO time of the read. */
  fetchedAt: string;
}

/** `{facebook_metadata}` of a conversation's channel: the Page's description on Messenger, empty elsewhere. */
export function facebookMetadataOf(channel: { type: string; config: Record<string, unknown> } | null): string {
  if (channel?.type !== "messenger") return "";
  const meta = channel.config.pageMetadata as Partial<PageMetadata> | undefined;
  if (!meta) return "";
  const line = (label: string, value: unknown) =>
    typeof value === "string" && value.trim() ? `${label}: ${value.replace(/\s+/g, " ").trim().slice(0, 500)}` : null;
  return [
    line("Facebook Page", meta.name),
    line("Category", meta.category),
    line("About", meta.about),
    line("Description", meta.description),
  ]
    .filter(Boolean)
    .join("\n");
}
