import { createRoute, z } from "@hono/zod-openapi";
import {
  FlagDto,
  FlagList,
  FlagMessageInput,
  FlagParam,
  FlagQuery,
  ModerationSettingsDto,
  ReviewFlagInput,
  UpdateModerationSettingsInput,
} from "@tandem/contracts";
import { flagMessage, getModerationSettings, listFlags, reviewFlag, updateModerationSettings } from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

/**
 * Moderation (docs/moderation.md): any member who works conversations flags a message from the
 * inbox; OWNER and ADMIN (`moderation.review`) work the review queue.
 */
export function moderationRoutes() {
  const app = createRouter();

  // POST /api/v1/messages/:id/flags — a member flags a message for review
  app.openapi(
    createRoute({
      method: "post",
      path: "/messages/{id}/flags",
      tags: ["moderation"],
      ...permit("conversations.work"),
      description:
        "A customer message, bot answer or agent reply (not a note, an event or a draft). An open flag of the same type on the message answers 409 `message_already_flagged`.",
      request: { params: z.object({ id: z.string().min(1).max(64) }), ...jsonBody(FlagMessageInput) },
      responses: { 201: json(FlagDto, "Created"), ...errors(400, 401, 403, 404, 409) },
    }),
    async (c) =>
      c.json(await flagMessage(c.get("ctx"), { ...c.req.valid("json"), messageId: c.req.valid("param").id }), 201),
  );

  // GET /api/v1/moderation/flags — the review queue, newest first
  app.openapi(
    createRoute({
      method: "get",
      path: "/moderation/flags",
      tags: ["moderation"],
      ...permit("moderation.review"),
      description:
        "`status=open` (the default; escalated flags included) or `reviewed`, filtered by `type` and `source`; `nextCursor` fetches the next page. `openCount` counts every open flag of the workspace.",
      request: { query: FlagQuery },
      responses: { 200: json(FlagList), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await listFlags(c.get("ctx"), c.req.valid("query")), 200),
  );

  // POST /api/v1/moderation/flags/:id/review — approve, remove or escalate
  app.openapi(
    createRoute({
      method: "post",
      path: "/moderation/flags/{id}/review",
      tags: ["moderation"],
      ...permit("moderation.review"),
      description:
        "`remove` hides the message from the customer's history (widget and public API) and closes every open flag on it; `escalate` keeps the flag open for an OWNER and notifies the OWNERs. Only an OWNER decides an escalated flag. A decided flag answers 409 `flag_already_reviewed`.",
      request: { params: FlagParam, ...jsonBody(ReviewFlagInput) },
      responses: { 200: json(FlagDto), ...errors(400, 401, 403, 404, 409) },
    }),
    async (c) =>
      c.json(await reviewFlag(c.get("ctx"), { ...c.req.valid("json"), flagId: c.req.valid("param").id }), 200),
  );

  // GET /api/v1/settings/moderation — the shop's own contact details, not flagged in bot answers
  app.openapi(
    createRoute({
      method: "get",
      path: "/settings/moderation",
      tags: ["settings"],
      ...permit("moderation.review"),
      responses: { 200: json(ModerationSettingsDto), ...errors(401, 403) },
    }),
    async (c) => c.json(await getModerationSettings(c.get("ctx")), 200),
  );

  // PATCH /api/v1/settings/moderation — change them (audited)
  app.openapi(
    createRoute({
      method: "patch",
      path: "/settings/moderation",
      tags: ["settings"],
      ...permit("settings.manage"),
      request: jsonBody(UpdateModerationSettingsInput),
      responses: { 200: json(ModerationSettingsDto), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await updateModerationSettings(c.get("ctx"), c.req.valid("json")), 200),
  );

  return app;
}
