/**
 * `SendInput.media` for one outbound message: the adapter reads a kept attachment's bytes (Messenger
 * uploads them with the Send API) or hands the platform a public URL to fetch (LINE's image messages).
 */
import type { MessageAttachment } from "@tandem/db";
import type { OutboundMedia } from "../channels/adapter.ts";
import { DomainError } from "../errors.ts";
import { publicMediaPath, readMedia } from "./media-store.ts";

export function outboundMedia(config: { dataDir: string; appUrl: string }, workspaceId: string): OutboundMedia {
  const base = config.appUrl.replace(/\/+$/, "");
  return {
    async read(attachment: MessageAttachment) {
      const media = attachment.mediaId ? await readMedia(config.dataDir, workspaceId, attachment.mediaId) : null;
      if (!media) {
        throw new DomainError(
          "attachment_missing",
          `The file ${attachment.name ? `"${attachment.name}" ` : ""}is no longer on the server (DATA_DIR): upload it again.`,
        );
      }
      return { bytes: media.bytes, mime: media.mime, name: media.name ?? attachment.name ?? "file" };
    },
    publicUrl(attachment: MessageAttachment, variant?: "preview") {
      if (!attachment.mediaId) return null;
      return `${base}${publicMediaPath(workspaceId, attachment.mediaId, attachment.name, variant)}`;
    },
  };
}
