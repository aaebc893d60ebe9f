import { createRoute, z } from "@hono/zod-openapi";
import {
  ChatbotPromptParam,
  ChatbotPromptVersionParam,
  PromptDto,
  PromptHistoryQuery,
  PromptHistoryResponse,
  PromptVersionDto,
  RollbackPromptInput,
  UpdatePromptInput,
} from "@tandem/contracts";
import {
  DomainError,
  getPrompt,
  getPromptVersion,
  listPromptHistory,
  type PromptChangeResult,
  promptEtag,
  rollbackPrompt,
  updatePrompt,
} from "@tandem/core";
import type { Context } from "hono";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";
import type { AppEnv } from "../types.ts";

/**
 * A chatbot's prompt versions (docs/chatbots.md, "Prompt versions"). The live version's id is the
 * ETag of `GET /prompt`; the changes (`PUT /prompt`, `POST /prompt/rollback`) require it in
 * `If-Match` — 428 without it, 409 `prompt_version_conflict` with the live prompt when it is stale —
 * so an edit made from an old copy never silently replaces someone else's. `If-Match: *` overwrites
 * whatever is live, on purpose.
 */

const IfMatchHeader = z.object({
  "if-match": z
    .string()
    .max(1000)
    .optional()
    .openapi({ description: 'The ETag of the live prompt (`"pv_…"`), or `*`. Required: 428 without it.' }),
});

const etagHeader = { ETag: { description: "The live version's id", schema: { type: "string" as const } } };
const withEtag = <T>(schema: T, description: string) => ({ ...json(schema, description), headers: etagHeader });

const CHANGE_DESCRIPTION =
  "Needs `If-Match` with the live prompt's ETag (428 `if_match_required` without it); a stale one answers 409 `prompt_version_conflict` whose `details.current` is the live prompt. Two changes sent with the same ETag: one wins, the other gets the 409. A text equal to the live one adds no version: 200 with the live prompt (201 when a version was added).";

export function chatbotPromptRoutes() {
  const app = createRouter();

  // GET /api/v1/chatbots/:id/prompt — the live prompt, its variables, ETag = its version id
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots/{id}/prompt",
      tags: ["chatbots"],
      ...permit("chatbots.read"),
      request: { params: ChatbotPromptParam },
      responses: { 200: withEtag(PromptDto, "The live prompt"), ...errors(401, 403, 404) },
    }),
    async (c) => {
      const prompt = await getPrompt(c.get("ctx"), { chatbotId: c.req.valid("param").id });
      c.header("ETag", promptEtag(prompt.versionId));
      return c.json(prompt, 200);
    },
  );

  // PUT /api/v1/chatbots/:id/prompt — save a new version (manual, or an AI draft applied) and make it live
  app.openapi(
    createRoute({
      method: "put",
      path: "/chatbots/{id}/prompt",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      description: `${CHANGE_DESCRIPTION} With \`generationJobId\` (a completed generation job of this chatbot; 404 for another chatbot's, 409 \`prompt_generation_not_completed\` before it completes) the version's method is \`ai_generated\` and its metadata names the job's files, model and token usage; the text saved is the body's, edited or not. Unknown \`{variables}\` answer 400 \`invalid_prompt_template\`.`,
      request: { params: ChatbotPromptParam, headers: IfMatchHeader, ...jsonBody(UpdatePromptInput) },
      responses: {
        200: withEtag(PromptDto, "Unchanged: the text is the live one"),
        201: withEtag(PromptDto, "A new version, now live"),
        ...errors(400, 401, 403, 404, 409, 428),
      },
    }),
    async (c) => {
      const result = await updatePrompt(c.get("ctx"), {
        ...c.req.valid("json"),
        chatbotId: c.req.valid("param").id,
        expected: expectedVersions(c.req.valid("header")["if-match"]),
      });
      return answerChange(c, result);
    },
  );

  // GET /api/v1/chatbots/:id/prompt/history — versions newest first, without texts; `live` marks the live one
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots/{id}/prompt/history",
      tags: ["chatbots"],
      ...permit("chatbots.read"),
      request: { params: ChatbotPromptParam, query: PromptHistoryQuery },
      responses: { 200: json(PromptHistoryResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await listPromptHistory(c.get("ctx"), { ...c.req.valid("query"), chatbotId: c.req.valid("param").id }),
        200,
      ),
  );

  // GET /api/v1/chatbots/:id/prompt/history/:versionId — one version with its text (for a diff)
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots/{id}/prompt/history/{versionId}",
      tags: ["chatbots"],
      ...permit("chatbots.read"),
      request: { params: ChatbotPromptVersionParam },
      responses: { 200: json(PromptVersionDto), ...errors(401, 403, 404) },
    }),
    async (c) => {
      const { id, versionId } = c.req.valid("param");
      return c.json(await getPromptVersion(c.get("ctx"), { chatbotId: id, versionId }), 200);
    },
  );

  // POST /api/v1/chatbots/:id/prompt/rollback — a new version copying an earlier one (method rollback)
  app.openapi(
    createRoute({
      method: "post",
      path: "/chatbots/{id}/prompt/rollback",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      description: `${CHANGE_DESCRIPTION} The new version's metadata is \`{fromVersionId, fromVersion}\`; a version of another chatbot is 404 \`prompt_version_not_found\`.`,
      request: { params: ChatbotPromptParam, headers: IfMatchHeader, ...jsonBody(RollbackPromptInput) },
      responses: {
        200: withEtag(PromptDto, "Unchanged: that version's text is the live one"),
        201: withEtag(PromptDto, "A new version, now live"),
        ...errors(400, 401, 403, 404, 409, 428),
      },
    }),
    async (c) => {
      const result = await rollbackPrompt(c.get("ctx"), {
        ...c.req.valid("json"),
        chatbotId: c.req.valid("param").id,
        expected: expectedVersions(c.req.valid("header")["if-match"]),
      });
      return answerChange(c, result);
    },
  );

  return app;
}

/** The entity tags of `If-Match` as version ids (weak or strong, quoted or not); absent → 428. */
function expectedVersions(header: string | undefined): string[] {
  const tags = (header ?? "")
    .split(",")
    .map((tag) =>
      tag
        .trim()
        .replace(/^W\//, "")
        .replace(/^"(.*)"$/, "$1"),
    )
    .filter(Boolean);
  if (tags.length === 0) {
    throw new DomainError(
      "if_match_required",
      'Send If-Match with the ETag of the live prompt (GET /chatbots/{id}/prompt), or "*" to replace whatever is live.',
      { details: [{ path: "If-Match", message: "Required" }] },
    );
  }
  return tags;
}

function answerChange(c: Context<AppEnv>, result: PromptChangeResult) {
  c.header("ETag", promptEtag(result.prompt.versionId));
  return c.json(result.prompt, result.created ? 201 : 200);
}
