import { randomUUID } from "node:crypto";
import { rm } from "node:fs/promises";
import path from "node:path";
import { createRoute, z } from "@hono/zod-openapi";
import { UploadedAttachmentDto } from "@tandem/contracts";
import { DomainError } from "@tandem/core";
import { readMedia } from "@tandem/core/media/media-store";
import { uploadAttachment } from "@tandem/core/media/upload-attachment";
import type { Context } from "hono";
import { ATTACHMENT_MAX_FILE_BYTES } from "../constants.ts";
import { receiveUploads } from "../multipart-uploads.ts";
import { createRouter, errors, json, permit } from "../openapi.ts";
import type { AppEnv } from "../types.ts";

const MediaId = z.string().regex(/^med_[0-9a-f]{32}$/);
const Params = z.object({ id: MediaId });
const IdParam = z.object({ id: z.string().min(1).max(64) });
const PublicParams = z.object({
  workspaceId: z.string().regex(/^[\w-]{1,64}$/),
  id: MediaId,
  name: z.string().min(1).max(2000),
});

/** Shown inline; anything else is downloaded, never rendered as a page of our origin. */
const INLINE = /^(image\/(png|jpeg|gif|webp)|video\/(mp4|webm|quicktime)|audio\/(mpeg|mp4|aac|ogg|wav|x-m4a))$/;

/** The bytes with headers that keep a file from acting as a page of this origin. */
function serveMedia(
  c: Context<AppEnv>,
  media: { bytes: Uint8Array; mime: string; name?: string | undefined },
  cache: string,
) {
  const inline = INLINE.test(media.mime);
  const name = (media.name ?? "attachment").replace(/[^\w.\- ]/g, "_");
  return c.body(new Uint8Array(media.bytes), 200, {
    "content-type": inline ? media.mime : "application/octet-stream",
    // An ASCII fallback, and the real name (Thai, Japanese…) for browsers that read RFC 6266's `filename*`.
    "content-disposition": `${inline ? "inline" : "attachment"}; filename="${name}"; filename*=UTF-8''${encodeURIComponent(media.name ?? "attachment")}`,
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; sandbox",
    "cache-control": cache,
  });
}

/**
 * Media kept under DATA_DIR (core `media/media-store.ts`): what customers sent on platforms that keep
 * it (LINE), and the files agents upload for a reply.
 */
export function mediaRoutes() {
  const app = createRouter();

  // GET /api/v1/media/{id} — a kept image, video, audio or file, for members of its workspace
  app.openapi(
    createRoute({
      method: "get",
      path: "/media/{id}",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: { params: Params },
      responses: {
        200: {
          description: "The bytes, with their content type",
          content: { "application/octet-stream": { schema: z.string() } },
        },
        ...errors(401, 403, 404),
      },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const media = await readMedia(c.get("runtime").config.dataDir, ctx.workspaceId, c.req.valid("param").id);
      if (!media) throw new DomainError("not_found", "Media not found");
      return serveMedia(c, media, "private, max-age=86400");
    },
  );

  // POST /api/v1/conversations/{id}/attachments — a file for an agent's reply, checked against the channel's rules
  app.openapi(
    createRoute({
      method: "post",
      path: "/conversations/{id}/attachments",
      tags: ["conversations"],
      ...permit("conversations.work"),
      description:
        "One file in the multipart field `file`, checked against the conversation's channel (`ConversationDto.channel.attachments`): 415 `unsupported_file_type` for a type the channel does not take (or an image that does not decode as its type), 413 `file_too_large` past the channel's size, 409 `attachments_need_public_url` on LINE while `APP_URL` is not https. Send it with `POST /conversations/{id}/messages {attachments: [id]}` within a day.",
      request: {
        params: IdParam,
        body: {
          required: true,
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                properties: { file: { type: "string", format: "binary" } },
                required: ["file"],
              },
            },
          },
        },
      },
      responses: {
        201: json(UploadedAttachmentDto, "Kept for this conversation"),
        ...errors(400, 401, 403, 404, 409, 413, 415),
      },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const { dataDir, appUrl } = c.get("runtime").config;
      const dir = path.join("attachment-uploads", ctx.workspaceId, randomUUID());
      try {
        const upload = await receiveUploads(
          c.req.raw,
          { dataDir, dir },
          { fileField: "file", maxFiles: 1, maxFileBytes: ATTACHMENT_MAX_FILE_BYTES, fields: [], maxFieldBytes: 0 },
        );
        const [file] = upload.files;
        if (!file) {
          throw new DomainError("invalid_input", "Send one file in the field `file`", {
            details: [{ path: "file", message: "Required" }],
          });
        }
        const dto = await uploadAttachment(
          ctx,
          c.req.valid("param").id,
          { ...file, path: path.join(dataDir, file.path) },
          { dataDir, publicMedia: new URL(appUrl).protocol === "https:" },
        );
        return c.json(dto, 201);
      } finally {
        await rm(path.join(dataDir, dir), { recursive: true, force: true });
      }
    },
  );

  return app;
}

/**
 * `GET /api/v1/public/media/{workspaceId}/{id}/{name}` — an agent's upload, for whoever has its
 * unguessable address: LINE fetching an image message, the visitor's widget, a public API caller.
 * Only uploads are public; what customers sent never is. `?variant=preview`: the small JPEG of an image.
 */
export function publicMediaRoutes() {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/public/media/{workspaceId}/{id}/{name}",
      tags: ["public"],
      description:
        "A file an agent sent, at the address its message carries (widget and public API attachments, LINE image messages). `variant=preview`: a JPEG of at most 240×240 of an image. Cached for a year.",
      request: { params: PublicParams, query: z.object({ variant: z.enum(["preview"]).optional() }) },
      responses: {
        200: { description: "The bytes", content: { "application/octet-stream": { schema: z.string() } } },
        ...errors(400, 404, 429),
      },
    }),
    async (c) => {
      const { workspaceId, id } = c.req.valid("param");
      const media = await readMedia(c.get("runtime").config.dataDir, workspaceId, id, c.req.valid("query").variant);
      if (!media?.meta.public) throw new DomainError("not_found", "Media not found");
      return serveMedia(c, media, "public, max-age=31536000, immutable");
    },
  );
  return app;
}
