import type { AttachmentRule } from "./conversations.ts";

/**
 * The rule a file of this content type falls under on a channel (`ChannelAttachments.rules`): the
 * first that names its type, else one that takes any type; null when the channel takes no such file.
 * The composer checks a file with it before uploading, the server again on upload.
 */
export function attachmentRuleFor(rules: AttachmentRule[], mime: string): AttachmentRule | null {
  const type = mime.toLowerCase().split(";")[0]!.trim();
  return rules.find((r) => r.mimes?.includes(type)) ?? rules.find((r) => r.mimes === null) ?? null;
}

export const formatMegabytes = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB`;

const KIND_NAMES = { image: "images", video: "videos", audio: "audio", file: "files" } as const;
const shortType = (mime: string) => (mime.split("/")[1] ?? mime).replace(/^x-/, "").toUpperCase();

/** The rules in words, for errors and the composer: "images (JPEG, PNG) up to 10 MB, other files up to 25 MB". */
export function describeAttachmentRules(rules: AttachmentRule[]): string {
  if (rules.length === 0) return "no attachments";
  return rules
    .map((r) =>
      r.mimes
        ? `${KIND_NAMES[r.kind]} (${[...new Set(r.mimes.map(shortType))].join(", ")}) up to ${formatMegabytes(r.maxBytes)}`
        : `${rules.length > 1 ? "other files" : "files"} up to ${formatMegabytes(r.maxBytes)}`,
    )
    .join(", ");
}
