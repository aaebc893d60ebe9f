import { createRoute } from "@hono/zod-openapi";
import {
  PROMPT_GENERATION_LIMITS,
  PromptGenerationChatbotParam,
  PromptGenerationFields,
  PromptGenerationJobDto,
  PromptGenerationJobParam,
  PromptGenerationStarted,
} from "@tandem/contracts";
import {
  getChatbotInWorkspace,
  getPromptGeneration,
  newPromptGenerationId,
  promptUploadDir,
  removePromptUploads,
  startPromptGeneration,
} from "@tandem/core";
import { receiveUploads } from "../multipart-uploads.ts";
import { createRouter, errors, json, permit } from "../openapi.ts";

const FIELDS = ["context", "tone", "additionalInstructions"] as const;

/**
 * AI-written system prompts from uploaded files (issue 12 item 4). The upload route has its own body
 * limit (stacks/admin.ts, `PROMPT_UPLOAD_MAX_BODY_BYTES`): the files stream to `DATA_DIR`, the job
 * `generate-system-prompt` does the rest, and the dashboard follows it by polling the GET or by the
 * socket event `prompt-generation:updated`. Applying the draft is `PUT /chatbots/{id}/prompt`.
 */
export function chatbotPromptGenerationRoutes() {
  const app = createRouter();

  // POST /api/v1/chatbots/{id}/prompt/generate — upload files and start writing a prompt from them
  app.openapi(
    createRoute({
      method: "post",
      path: "/chatbots/{id}/prompt/generate",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      description: `Multipart form: up to ${PROMPT_GENERATION_LIMITS.maxFiles} \`files\` (PDF, PNG, JPEG, WebP, DOCX, TXT, Markdown; at most 20 MB each, the type is read from the bytes), optional \`context\`, \`tone\` and \`additionalInstructions\`. Answers 202 with the job; follow it with the GET below. 413 \`file_too_large\` names the file; 415 \`unsupported_file_type\` names the file whose bytes are none of the accepted types.`,
      request: {
        params: PromptGenerationChatbotParam,
        body: {
          required: true,
          content: {
            // A plain schema, not zod: the route streams the body itself (no buffering validator).
            "multipart/form-data": {
              schema: {
                type: "object",
                required: ["files"],
                properties: {
                  files: {
                    type: "array",
                    items: { type: "string", format: "binary" },
                    maxItems: PROMPT_GENERATION_LIMITS.maxFiles,
                  },
                  context: { type: "string", maxLength: PROMPT_GENERATION_LIMITS.maxContextChars },
                  tone: { type: "string", maxLength: PROMPT_GENERATION_LIMITS.maxToneChars },
                  additionalInstructions: { type: "string", maxLength: PROMPT_GENERATION_LIMITS.maxInstructionsChars },
                },
              },
            },
          },
        },
      },
      responses: {
        202: json(PromptGenerationStarted, "The job, pending"),
        ...errors(400, 401, 403, 404, 413, 415, 503),
      },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const { dataDir } = c.get("runtime").config;
      const { id } = c.req.valid("param");
      // Not found before a byte of the body is stored.
      await getChatbotInWorkspace(ctx, id);
      const jobId = newPromptGenerationId();
      let upload: Awaited<ReturnType<typeof receiveUploads>>;
      let fields: PromptGenerationFields;
      try {
        upload = await receiveUploads(
          c.req.raw,
          { dataDir, dir: promptUploadDir(ctx.workspaceId, jobId) },
          {
            fileField: "files",
            maxFiles: PROMPT_GENERATION_LIMITS.maxFiles,
            maxFileBytes: PROMPT_GENERATION_LIMITS.maxFileBytes,
            fields: FIELDS,
            maxFieldBytes: 4 * PROMPT_GENERATION_LIMITS.maxInstructionsChars,
          },
        );
        fields = PromptGenerationFields.parse(upload.fields);
      } catch (error) {
        await removePromptUploads(dataDir, ctx.workspaceId, jobId);
        throw error;
      }
      const started = await startPromptGeneration(
        ctx,
        { chatbotId: id, jobId, files: upload.files, ...fields },
        { config: c.get("runtime").config },
      );
      return c.json(started, 202);
    },
  );

  // GET /api/v1/chatbots/{id}/prompt/generate/{jobId} — the job: status, steps, draft and live prompt
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots/{id}/prompt/generate/{jobId}",
      tags: ["chatbots"],
      ...permit("chatbots.read"),
      request: { params: PromptGenerationJobParam },
      responses: { 200: json(PromptGenerationJobDto), ...errors(401, 403, 404) },
    }),
    async (c) => {
      const { id, jobId } = c.req.valid("param");
      return c.json(await getPromptGeneration(c.get("ctx"), { chatbotId: id, jobId }), 200);
    },
  );

  return app;
}
