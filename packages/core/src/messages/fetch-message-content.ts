/**
 * Media a platform keeps rather than links (LINE's images, videos, audio and files: the content API):
 * the customer's message is stored at once with the attachment's `contentRef` and an empty `url`, and
 * this job asks the channel's adapter (`fetchContent`) for each such attachment's bytes, keeps them
 * under DATA_DIR (`media-store.ts`, served to the workspace by `GET /api/v1/media/{id}`), then updates
 * the message and publishes it. Retried on the platform's transient failures; a refusal leaves the
 * attachment without a URL (the inbox shows it as unavailable).
 */
import { channels, type MessageAttachment, messages } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import type { InboundAttachment } from "../channels/adapter.ts";
import { markReconnectNeeded } from "../channels/mark-reconnect-needed.ts";
import { publishMessage } from "../conversations/publish.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { imageSize } from "../media/image-size.ts";
import { mediaIdOf, mediaUrl, saveMedia } from "../media/media-store.ts";

export const fetchMessageContent = defineJob({
  name: "fetch-message-content",
  schema: z.object({ messageId: z.string().min(1) }),
  retry: { attempts: 4 },
  concurrency: 4,
  workspaceConcurrency: 2,
  // Enrichment: the reply to the customer goes first.
  background: true,
  handle: async ({ messageId }, deps: JobContext<AppJobDeps>) => {
    const [row] = await deps.db
      .select({ message: messages, channel: channels })
      .from(messages)
      .innerJoin(channels, eq(channels.id, messages.channelId))
      .where(eq(messages.id, messageId))
      .limit(1);
    if (!row || row.message.unsentAt || row.channel.disconnectedAt) return;
    const { message, channel } = row;
    const adapter = deps.channels.find(channel.type);
    const pending = (message.attachments as InboundAttachment[]).some((a) => a.contentRef && !a.url);
    if (!adapter?.fetchContent || !pending) return;

    const attachments: MessageAttachment[] = [];
    for (const attachment of message.attachments as InboundAttachment[]) {
      if (!attachment.contentRef || attachment.url) {
        attachments.push(attachment);
        continue;
      }
      try {
        const content = await adapter.fetchContent(channel, attachment.contentRef);
        const id = mediaIdOf(message.id, attachment.contentRef);
        const mime = content.mime ?? attachment.mime ?? "application/octet-stream";
        await saveMedia(deps.config.dataDir, message.workspaceId, id, {
          bytes: content.bytes,
          mime,
          name: attachment.name,
        });
        const size = mime.startsWith("image/") ? await imageSize(content.bytes) : null;
        attachments.push({
          ...attachment,
          url: mediaUrl(id),
          mime,
          mediaId: id,
          size: content.bytes.byteLength,
          ...(size ?? {}),
        });
      } catch (error) {
        const classified = adapter.classifyError(error);
        if (classified?.tokenExpired) await markReconnectNeeded(deps.db, channel.id, classified.reason);
        if (classified?.retryable ?? true) throw error;
        deps.log.warn({ err: error, messageId, code: classified?.code }, "media content not available");
        attachments.push(attachment);
      }
    }
    const [updated] = await deps.db
      .update(messages)
      .set({ attachments })
      // An erasure or unsend that landed meanwhile wins.
      .where(and(eq(messages.id, messageId), isNull(messages.unsentAt)))
      .returning();
    if (updated) publishMessage(deps.realtime, updated.workspaceId, updated, "updated");
  },
});
