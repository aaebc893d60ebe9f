/**
 * What the composer's paperclip may send on a conversation's channel (`ChannelAttachments`), checked
 * before anything is uploaded: whether attaching is possible at all, and each chosen file's type and
 * size. The server checks again on upload (413 / 415); this spares the agent an upload that would fail.
 */
import { attachmentRuleFor, type ChannelAttachments, describeAttachmentRules } from "@tandem/contracts";
import { formatBytes } from "../../lib/format";

export interface AttachTarget {
  /** The platform's name as agents know it ("Facebook Messenger", "LINE"). */
  channelLabel: string;
  attachments: ChannelAttachments | undefined;
}

/** The content type a file is checked and uploaded as; a browser gives "" for a type it does not know. */
export const mimeOf = (file: { type: string }) => file.type || "application/octet-stream";

/** "Facebook Messenger takes images (JPEG, PNG, GIF, WEBP) up to 25 MB, …, up to 5 files a message". */
export function describeLimits({ channelLabel, attachments }: AttachTarget): string {
  const rules = attachments?.rules ?? [];
  if (rules.length === 0) return `${channelLabel} takes no attachments`;
  const count = attachments!.maxFiles === 1 ? "one file a message" : `up to ${attachments!.maxFiles} files a message`;
  return `${channelLabel} takes ${describeAttachmentRules(rules)}; ${count}`;
}

/**
 * Why nothing can be attached here, or null when the paperclip works: notes and bot replies carry no
 * files, some channels take none, and a platform that fetches files by URL (LINE) needs a public
 * https APP_URL (`PublicHealth.publicMedia`).
 */
export function attachBlockedReason(
  target: AttachTarget,
  mode: { note: boolean; bot: boolean; publicMedia: boolean | undefined },
): string | null {
  if (mode.note) return "Internal notes take no attachments";
  if (mode.bot) return "Replies written by the bot take no attachments";
  if (!target.attachments || target.attachments.rules.length === 0 || target.attachments.maxFiles === 0)
    return `${target.channelLabel} takes no attachments from agents`;
  if (target.attachments.fetchedByUrl && mode.publicMedia === false)
    return `${target.channelLabel} fetches images from this server, so APP_URL must be its public https address`;
  return null;
}

/** The picker's `accept`: every type the rules name, or nothing (any file) when one rule takes any type. */
export function acceptFor(attachments: ChannelAttachments | undefined): string | undefined {
  const rules = attachments?.rules ?? [];
  if (rules.length === 0 || rules.some((rule) => rule.mimes === null)) return undefined;
  return [...new Set(rules.flatMap((rule) => rule.mimes ?? []))].join(",");
}

/** Why this file cannot be sent here, naming the limits; null when it can. */
export function refusalFor(file: { name: string; size: number; type: string }, target: AttachTarget): string | null {
  const rule = attachmentRuleFor(target.attachments?.rules ?? [], mimeOf(file));
  const limits = describeAttachmentRules(target.attachments?.rules ?? []);
  if (!rule) return `${file.name} can't be sent on ${target.channelLabel}: ${target.channelLabel} takes ${limits}`;
  if (file.size > rule.maxBytes)
    return `${file.name} is too large (${formatBytes(file.size)}): ${target.channelLabel} takes ${limits}`;
  if (file.size === 0) return `${file.name} is empty`;
  return null;
}

/**
 * The files of one pick (or drop, or paste) that can join the `already` attached ones, and a
 * sentence for each that cannot.
 */
export function checkFiles<F extends { name: string; size: number; type: string }>(
  files: readonly F[],
  target: AttachTarget,
  already: number,
): { accepted: F[]; refusals: string[] } {
  const accepted: F[] = [];
  const refusals: string[] = [];
  const maxFiles = target.attachments?.maxFiles ?? 0;
  for (const file of files) {
    const refusal = refusalFor(file, target);
    if (refusal) refusals.push(refusal);
    else if (already + accepted.length >= maxFiles)
      refusals.push(
        `${file.name} was not added: ${target.channelLabel} takes ${maxFiles === 1 ? "one file" : `up to ${maxFiles} files`} a message`,
      );
    else accepted.push(file);
  }
  return { accepted, refusals };
}
