import { createRoute } from "@hono/zod-openapi";
import {
  CannedResponseDto,
  CannedResponseList,
  CannedResponseParam,
  CannedResponseQuery,
  CreateCannedResponseInput,
  UpdateCannedResponseInput,
} from "@tandem/contracts";
import { createCannedResponse, deleteCannedResponse, listCannedResponses, updateCannedResponse } from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

/**
 * The workspace's canned responses (docs/inbox.md, "Canned responses"): every member lists them to
 * insert one from the composer; OWNER and ADMIN (`settings.manage`) change the library.
 */
export function cannedResponseRoutes() {
  const app = createRouter();

  // GET /api/v1/canned-responses — the whole library sorted by shortcut, `?q=` words to find
  app.openapi(
    createRoute({
      method: "get",
      path: "/canned-responses",
      tags: ["canned-responses"],
      ...permit("conversations.work"),
      request: { query: CannedResponseQuery },
      responses: { 200: json(CannedResponseList), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await listCannedResponses(c.get("ctx"), c.req.valid("query")), 200),
  );

  // POST /api/v1/canned-responses — add a reply to the library
  app.openapi(
    createRoute({
      method: "post",
      path: "/canned-responses",
      tags: ["canned-responses"],
      ...permit("settings.manage"),
      description:
        "The text may use `{contact_name}`, `{contact_first_name}` and `{agent_name}`; any other `{variable}` answers 400 naming `text`. A shortcut the workspace already uses answers 409 `canned_response_shortcut_taken`.",
      request: jsonBody(CreateCannedResponseInput),
      responses: { 201: json(CannedResponseDto, "Created"), ...errors(400, 401, 403, 409) },
    }),
    async (c) => c.json(await createCannedResponse(c.get("ctx"), c.req.valid("json")), 201),
  );

  // PATCH /api/v1/canned-responses/:id — change its shortcut, title or text
  app.openapi(
    createRoute({
      method: "patch",
      path: "/canned-responses/{id}",
      tags: ["canned-responses"],
      ...permit("settings.manage"),
      description: "Fields left out are kept; the same rules as creating apply.",
      request: { params: CannedResponseParam, ...jsonBody(UpdateCannedResponseInput) },
      responses: { 200: json(CannedResponseDto), ...errors(400, 401, 403, 404, 409) },
    }),
    async (c) =>
      c.json(await updateCannedResponse(c.get("ctx"), { ...c.req.valid("json"), id: c.req.valid("param").id }), 200),
  );

  // DELETE /api/v1/canned-responses/:id — remove it from the library
  app.openapi(
    createRoute({
      method: "delete",
      path: "/canned-responses/{id}",
      tags: ["canned-responses"],
      ...permit("settings.manage"),
      request: { params: CannedResponseParam },
      responses: { 204: { description: "Deleted" }, ...errors(401, 403, 404) },
    }),
    async (c) => {
      await deleteCannedResponse(c.get("ctx"), { id: c.req.valid("param").id });
      return c.body(null, 204);
    },
  );

  return app;
}
