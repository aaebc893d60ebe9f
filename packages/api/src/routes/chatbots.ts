import { createRoute, z } from "@hono/zod-openapi";
import {
  ChatbotApiKeyDto,
  ChatbotConversationDetail,
  ChatbotConversationListQuery,
  ChatbotConversationListResponse,
  ChatbotDto,
  ChatbotListQuery,
  ChatbotListResponse,
  ChatbotTranslationDto,
  CreateChatbotInput,
  LanguageCode,
  PutChatbotTranslationInput,
  UpdateChatbotInput,
} from "@tandem/contracts";
import {
  createChatbot,
  deleteChatbot,
  deleteChatbotTranslation,
  getChatbot,
  getChatbotConversation,
  listChatbotConversations,
  listChatbots,
  putChatbotTranslation,
  regenerateChatbotKey,
  updateChatbot,
} from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

const ChatbotParam = z.object({ chatbotId: z.string().min(1).max(64) });
const ConversationParam = ChatbotParam.extend({ conversationId: z.string().min(1).max(64) });
const TranslationParam = ChatbotParam.extend({ languageCode: LanguageCode });

/**
 * Chatbots (seed S2 §1 and §4): every member reads them (`chatbots.read`), OWNER and ADMIN manage
 * them (`chatbots.manage`). Another workspace's chatbot is a 404. The prompt (`/chatbots/{id}/prompt*`)
 * and the playground have their own routers.
 */
export function chatbotRoutes() {
  const app = createRouter();

  // GET /api/v1/chatbots — newest first, cursor-paginated, with S2's overview per chatbot
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots",
      tags: ["chatbots"],
      ...permit("chatbots.read"),
      request: { query: ChatbotListQuery },
      responses: { 200: json(ChatbotListResponse), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await listChatbots(c.get("ctx"), c.req.valid("query")), 200),
  );

  // POST /api/v1/chatbots — create (status `testing` unless given; prompt version 1)
  app.openapi(
    createRoute({
      method: "post",
      path: "/chatbots",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      description:
        "Unknown fields are refused. `credentialId` names a credential of `/providers/credentials` (400 `invalid_credential` when the workspace has none with that id); the chatbot then answers with that credential's kind. `systemPrompt` becomes prompt version 1.",
      request: jsonBody(CreateChatbotInput),
      responses: { 201: json(ChatbotDto, "Created"), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await createChatbot(c.get("ctx"), c.req.valid("json")), 201),
  );

  // GET /api/v1/chatbots/{chatbotId} — one chatbot with channels, translations and overview
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots/{chatbotId}",
      tags: ["chatbots"],
      ...permit("chatbots.read"),
      request: { params: ChatbotParam },
      responses: { 200: json(ChatbotDto), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await getChatbot(c.get("ctx"), c.req.valid("param").chatbotId), 200),
  );

  // PATCH /api/v1/chatbots/{chatbotId} — change the fields given; the next reply uses them
  app.openapi(
    createRoute({
      method: "patch",
      path: "/chatbots/{chatbotId}",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      description:
        "Partial: only the fields given change; `promptVariables`, `guardrails` and `memory` merge into the stored ones. `isDefault: true` moves the default role here. The prompt is changed through `PUT /chatbots/{id}/prompt`.",
      request: { params: ChatbotParam, ...jsonBody(UpdateChatbotInput) },
      responses: { 200: json(ChatbotDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) => c.json(await updateChatbot(c.get("ctx"), c.req.valid("param").chatbotId, c.req.valid("json")), 200),
  );

  // DELETE /api/v1/chatbots/{chatbotId} — soft delete; refused while it serves a channel or is the default
  app.openapi(
    createRoute({
      method: "delete",
      path: "/chatbots/{chatbotId}",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      description:
        "History stays (conversations, messages, prompt versions); the API key stops working. 409 `chatbot_in_use` while a channel names it (`details.channels`), 409 `chatbot_is_default` while it is the default.",
      request: { params: ChatbotParam },
      responses: { 204: { description: "Deleted" }, ...errors(401, 403, 404, 409) },
    }),
    async (c) => {
      await deleteChatbot(c.get("ctx"), c.req.valid("param").chatbotId);
      return c.body(null, 204);
    },
  );

  // POST /api/v1/chatbots/{chatbotId}/regenerate-token — a new public API key, shown once
  app.openapi(
    createRoute({
      method: "post",
      path: "/chatbots/{chatbotId}/regenerate-token",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      description:
        "Returns a new `ck_…` key for the public chat API, shown only in this response; the previous key stops working at once. Stored as SHA-256 with the last 8 characters as `apiKeyHint`.",
      request: { params: ChatbotParam },
      responses: { 200: json(ChatbotApiKeyDto), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await regenerateChatbotKey(c.get("ctx"), c.req.valid("param").chatbotId), 200),
  );

  // PUT /api/v1/chatbots/{chatbotId}/translations/{languageCode} — one language's overrides
  app.openapi(
    createRoute({
      method: "put",
      path: "/chatbots/{chatbotId}/translations/{languageCode}",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      description:
        "A welcome message and/or a system prompt for customers whose locale is this language (`th` serves `th_TH` and `th-TH`; `pt-BR` is preferred over `pt` for `pt_BR`).",
      request: { params: TranslationParam, ...jsonBody(PutChatbotTranslationInput) },
      responses: { 200: json(ChatbotTranslationDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { chatbotId, languageCode } = c.req.valid("param");
      return c.json(await putChatbotTranslation(c.get("ctx"), chatbotId, languageCode, c.req.valid("json")), 200);
    },
  );

  // DELETE /api/v1/chatbots/{chatbotId}/translations/{languageCode} — remove one language's overrides
  app.openapi(
    createRoute({
      method: "delete",
      path: "/chatbots/{chatbotId}/translations/{languageCode}",
      tags: ["chatbots"],
      ...permit("chatbots.manage"),
      request: { params: TranslationParam },
      responses: { 204: { description: "Removed" }, ...errors(400, 401, 403, 404) },
    }),
    async (c) => {
      const { chatbotId, languageCode } = c.req.valid("param");
      await deleteChatbotTranslation(c.get("ctx"), chatbotId, languageCode);
      return c.body(null, 204);
    },
  );

  // GET /api/v1/chatbots/{chatbotId}/conversations — the conversations it handles, newest activity first
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots/{chatbotId}/conversations",
      tags: ["chatbots"],
      ...permit("chatbots.read"),
      request: { params: ChatbotParam, query: ChatbotConversationListQuery },
      responses: { 200: json(ChatbotConversationListResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(await listChatbotConversations(c.get("ctx"), c.req.valid("param").chatbotId, c.req.valid("query")), 200),
  );

  // GET /api/v1/chatbots/{chatbotId}/conversations/{conversationId} — one of them with its messages
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots/{chatbotId}/conversations/{conversationId}",
      tags: ["chatbots"],
      ...permit("chatbots.read"),
      description: "A conversation of another chatbot is a 404 here.",
      request: { params: ConversationParam },
      responses: { 200: json(ChatbotConversationDetail), ...errors(401, 403, 404) },
    }),
    async (c) => {
      const { chatbotId, conversationId } = c.req.valid("param");
      return c.json(await getChatbotConversation(c.get("ctx"), chatbotId, conversationId), 200);
    },
  );

  return app;
}
