import { createRoute, z } from "@hono/zod-openapi";
import { DomainError } from "@tandem/core";
import { readMedia } from "@tandem/core/media/media-store";
import { createRouter, errors, permit } from "../openapi.ts";

const Params = z.object({ id: z.string().regex(/^med_[0-9a-f]{32}$/) });

/** Shown inline in the inbox; anything else is downloaded, never rendered as a page of our origin. */
const INLINE = /^(image\/(png|jpeg|gif|webp)|video\/(mp4|webm|quicktime)|audio\/(mpeg|mp4|aac|ogg|wav|x-m4a))$/;

/** Media customers sent on platforms that keep it (LINE), kept under DATA_DIR (core `media/media-store.ts`). */
export function mediaRoutes() {
  const app = createRouter();

  // GET /api/v1/media/{id} — a customer's image, video, audio or file, for members of its workspace
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
      const inline = INLINE.test(media.mime);
      const name = (media.name ?? "attachment").replace(/[^\w.\- ]/g, "_");
      return c.body(new Uint8Array(media.bytes), 200, {
        "content-type": inline ? media.mime : "application/octet-stream",
        "content-disposition": `${inline ? "inline" : "attachment"}; filename="${name}"`,
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
        "cache-control": "private, max-age=86400",
      });
    },
  );

  return app;
}
