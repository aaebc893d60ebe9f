/**
 * An agent's file for a reply, uploaded before the reply is sent (the composer uploads as soon as a
 * file is picked, `POST /conversations/{id}/attachments`). Checked against the conversation's channel
 * rules (`capabilities.attachments`): the type by the bytes for images (an image must decode as the
 * type it claims), the size by the rule. Images get their pixel size (the inbox keeps their box) and a
 * small JPEG preview (LINE's `previewImageUrl`). Kept under DATA_DIR as a public medium of the
 * conversation (`media-store.ts`) until a reply sends it; never sent, it goes after a day.
 */
import { readFile } from "node:fs/promises";
import {
  attachmentRuleFor,
  describeAttachmentRules,
  formatMegabytes,
  type UploadedAttachmentDto,
} from "@tandem/contracts";
import { channels, conversations } from "@tandem/db";
import { eq } from "drizzle-orm";
import sharp from "sharp";
import type { Ctx } from "../context.ts";
import { inInbox } from "../conversations/in-inbox.ts";
import { DomainError } from "../errors.ts";
import { assertActorCan } from "../members/guard.ts";
import { channelAttachments } from "./attachment-rules.ts";
import { imageInfo } from "./image-size.ts";
import { mediaUrl, newMediaId, saveMedia } from "./media-store.ts";

export interface AttachmentFile {
  /** Absolute path of the received file. */
  path: string;
  name: string;
  /** As the client declared it. */
  mime: string;
  size: number;
}

export interface AttachmentDeps {
  dataDir: string;
  /** `APP_URL` is https: platforms that fetch by URL (LINE) can reach the file. */
  publicMedia: boolean;
}

/** Image formats as sharp names them, and their content types. */
const IMAGE_TYPES: Record<string, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
};
const PREVIEW_BOX = 240;

export async function uploadAttachment(
  ctx: Ctx,
  conversationId: string,
  file: AttachmentFile,
  deps: AttachmentDeps,
): Promise<UploadedAttachmentDto> {
  assertActorCan(ctx, "conversations.work");
  const [conversation] = await ctx.db
    .select({ id: conversations.id, channelType: channels.type, channelName: channels.name })
    .from(conversations)
    .leftJoin(channels, eq(channels.id, conversations.channelId))
    .where(inInbox(ctx.workspaceId, conversationId))
    .limit(1);
  if (!conversation) throw new DomainError("conversation_not_found", "Conversation not found");
  const channel = conversation.channelType ? channelAttachments(conversation.channelType) : null;
  const where = conversation.channelName ?? "this conversation";
  if (!channel || channel.rules.length === 0 || channel.maxFiles === 0) {
    throw new DomainError("unsupported_file_type", `Files cannot be sent on ${where}.`);
  }
  if (channel.fetchedByUrl && !deps.publicMedia) {
    throw new DomainError(
      "attachments_need_public_url",
      `${where} fetches files from this server by their address, so APP_URL must be the server's public https address.`,
    );
  }

  const name = cleanName(file.name);
  const bytes = await readFile(file.path);
  const declared = file.mime.toLowerCase().split(";")[0]!.trim() || "application/octet-stream";
  const image = declared.startsWith("image/") ? await imageOf(bytes, name, declared) : null;
  const mime = image?.mime ?? declared;
  const rule = attachmentRuleFor(channel.rules, mime);
  if (!rule) {
    throw new DomainError(
      "unsupported_file_type",
      `${name} cannot be sent on ${where}: it takes ${describeAttachmentRules(channel.rules)}.`,
      { details: { mime, accepted: channel.rules } },
    );
  }
  if (bytes.byteLength > rule.maxBytes) {
    throw new DomainError(
      "file_too_large",
      `${name} is ${formatMegabytes(bytes.byteLength)}; ${where} takes ${describeAttachmentRules([rule])}.`,
      { details: { size: bytes.byteLength, maxBytes: rule.maxBytes } },
    );
  }

  const id = newMediaId();
  const shown = rule.kind === "image" && image;
  await saveMedia(
    deps.dataDir,
    ctx.workspaceId,
    id,
    { bytes, mime, name },
    {
      kind: rule.kind,
      size: bytes.byteLength,
      public: true,
      conversationId: conversation.id,
      uploadedBy: ctx.actor.type === "system" ? null : ctx.actor.memberId,
      uploadedAt: new Date().toISOString(),
      ...(shown ? { width: image.width, height: image.height, previewBytes: await previewOf(bytes) } : {}),
    },
  );
  return {
    id,
    type: rule.kind,
    url: mediaUrl(id),
    name,
    mime,
    size: bytes.byteLength,
    ...(shown ? { width: image.width, height: image.height } : {}),
  };
}

/**
 * What an `image/*` file really is: its type by its bytes and its upright pixel size. A file that
 * claims a type we show but does not decode as it is refused; another image type (SVG, HEIC…) is
 * left to the channel's rules as the type it claims, and only ever sent as a file.
 */
async function imageOf(bytes: Buffer, name: string, declared: string) {
  const claimsShown = Object.values(IMAGE_TYPES).includes(declared);
  const info = await imageInfo(bytes);
  const mime = info ? IMAGE_TYPES[info.format] : undefined;
  if (info && mime) return { mime, width: info.width, height: info.height };
  if (claimsShown) {
    throw new DomainError(
      "unsupported_file_type",
      `${name} is not a valid ${declared.slice("image/".length).toUpperCase()} image.`,
    );
  }
  return null;
}

/** A JPEG of at most 240×240, upright (LINE's preview limit; also cheap for lists). */
const previewOf = (bytes: Buffer) =>
  sharp(bytes)
    .rotate()
    .resize(PREVIEW_BOX, PREVIEW_BOX, { fit: "inside", withoutEnlargement: true })
    .flatten({ background: "#ffffff" })
    .jpeg({ quality: 80 })
    .toBuffer();

/** The name as shown and sent: no path, no control characters, at most 200 characters. */
function cleanName(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? "";
  // Control characters (a name is shown and sent; they have no place in it).
  const clean = [...base]
    .filter((ch) => ch.charCodeAt(0) > 0x1f && ch !== "\u007f")
    .join("")
    .trim()
    .slice(0, 200);
  return clean || "file";
}
