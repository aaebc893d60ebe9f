import type { MessageAttachment } from "@tandem/db";
import { DomainError } from "../errors.ts";
import { mediaUrl, readMediaMeta, updateMediaMeta } from "./media-store.ts";

/**
 * The uploads a reply names (`SendMessageInput.attachments`) as the message's attachments: each must
 * be an upload to this very conversation that no message sent yet, and at most `maxFiles` of them.
 * Anything else is a 400 naming the file; nothing is changed.
 */
export async function attachmentsForReply(
  dataDir: string,
  target: { workspaceId: string; conversationId: string; maxFiles: number; channelName: string },
  ids: string[],
): Promise<MessageAttachment[]> {
  if (new Set(ids).size !== ids.length) {
    throw new DomainError("invalid_input", "The same file is attached twice", {
      details: [{ path: "attachments", message: "Duplicate id" }],
    });
  }
  if (ids.length > target.maxFiles) {
    throw new DomainError(
      "invalid_input",
      target.maxFiles === 0
        ? `Files cannot be sent on ${target.channelName}.`
        : `At most ${target.maxFiles} files go in one message on ${target.channelName}.`,
      { details: [{ path: "attachments", message: `At most ${target.maxFiles}` }] },
    );
  }
  const attachments: MessageAttachment[] = [];
  for (const [i, id] of ids.entries()) {
    const meta = await readMediaMeta(dataDir, target.workspaceId, id);
    const path = `attachments.${i}`;
    if (!meta?.kind || meta.conversationId !== target.conversationId) {
      throw new DomainError(
        "invalid_input",
        "An attached file is not an upload to this conversation: upload it again",
        {
          details: [{ path, message: "Unknown upload" }],
        },
      );
    }
    if (meta.sentIn) {
      throw new DomainError(
        "invalid_input",
        `${meta.name ?? "A file"} was already sent: upload it again to send it once more`,
        {
          details: [{ path, message: "Already sent" }],
        },
      );
    }
    attachments.push({
      type: meta.kind,
      url: mediaUrl(id),
      mime: meta.mime,
      mediaId: id,
      ...(meta.name ? { name: meta.name } : {}),
      ...(meta.size !== undefined ? { size: meta.size } : {}),
      ...(meta.width && meta.height ? { width: meta.width, height: meta.height } : {}),
    });
  }
  return attachments;
}

/** Marks the uploads as sent by `messageId`: they are kept, and no other reply can send them again. */
export async function markAttachmentsSent(
  dataDir: string,
  workspaceId: string,
  attachments: MessageAttachment[],
  messageId: string,
): Promise<void> {
  for (const a of attachments) {
    if (a.mediaId) await updateMediaMeta(dataDir, workspaceId, a.mediaId, { sentIn: messageId });
  }
}
