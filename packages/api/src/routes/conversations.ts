import { createRoute, z } from "@hono/zod-openapi";
import {
  BulkUpdateConversationsInput,
  BulkUpdateConversationsResponse,
  ConversationDto,
  ConversationListQuery,
  ConversationListResponse,
  ConversationViewCounts,
  DraftResponse,
  MessageDto,
  MessageListQuery,
  MessageListResponse,
  SendMessageInput,
  ToggleAutoBotInput,
  UpdateConversationInput,
} from "@tandem/contracts";
import {
  bulkUpdateConversations,
  countConversationViews,
  draftBotReply,
  getConversation,
  listConversations,
  listMessages,
  markConversationRead,
  providerDeps,
  sendAgentMessage,
  toggleAutoBot,
  updateConversation,
} from "@tandem/core";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

const IdParam = z.object({ id: z.string().min(1).max(64) });

/** The inbox API: every role of the workspace works conversations (`conversations.work`). */
export function conversationRoutes() {
  const app = createRouter();

  // GET /api/v1/conversations — the inbox list: filters, search, cursor pagination (newest activity first)
  app.openapi(
    createRoute({
      method: "get",
      path: "/conversations",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: { query: ConversationListQuery },
      responses: { 200: json(ConversationListResponse), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await listConversations(c.get("ctx"), c.req.valid("query")), 200),
  );

  // POST /api/v1/conversations/bulk — one action (close, reopen, assign, tags, unread/read) on up to 100 conversations
  app.openapi(
    createRoute({
      method: "post",
      path: "/conversations/bulk",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: jsonBody(BulkUpdateConversationsInput),
      responses: { 200: json(BulkUpdateConversationsResponse), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await bulkUpdateConversations(c.get("ctx"), c.req.valid("json")), 200),
  );

  // GET /api/v1/conversations/counts — the Mine / Unassigned / All numbers for the list's status and filters
  app.openapi(
    createRoute({
      method: "get",
      path: "/conversations/counts",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: { query: ConversationListQuery.omit({ assignee: true, search: true, cursor: true, limit: true }) },
      responses: { 200: json(ConversationViewCounts), ...errors(400, 401, 403) },
    }),
    async (c) => c.json(await countConversationViews(c.get("ctx"), c.req.valid("query")), 200),
  );

  // GET /api/v1/conversations/{id} — one conversation with its contact, channel and last message
  app.openapi(
    createRoute({
      method: "get",
      path: "/conversations/{id}",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: { params: IdParam },
      responses: { 200: json(ConversationDto), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await getConversation(c.get("ctx"), c.req.valid("param").id), 200),
  );

  // PATCH /api/v1/conversations/{id} — status (snooze), assignee, tags, notes
  app.openapi(
    createRoute({
      method: "patch",
      path: "/conversations/{id}",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: { params: IdParam, ...jsonBody(UpdateConversationInput) },
      responses: { 200: json(ConversationDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) => c.json(await updateConversation(c.get("ctx"), c.req.valid("param").id, c.req.valid("json")), 200),
  );

  // GET /api/v1/conversations/{id}/messages — newest page first, each page oldest → newest; nextCursor = older
  app.openapi(
    createRoute({
      method: "get",
      path: "/conversations/{id}/messages",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: { params: IdParam, query: MessageListQuery },
      responses: { 200: json(MessageListResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) => c.json(await listMessages(c.get("ctx"), c.req.valid("param").id, c.req.valid("query")), 200),
  );

  // POST /api/v1/conversations/{id}/messages — send as agent, internal note, or reply as bot (written now, then sent)
  app.openapi(
    createRoute({
      method: "post",
      path: "/conversations/{id}/messages",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: { params: IdParam, ...jsonBody(SendMessageInput) },
      responses: {
        201: json(
          MessageDto,
          "Stored. An agent reply is queued for sending; with `sendAs: BOT` the bot wrote the reply in this request and it is queued the same way",
        ),
        ...errors(400, 401, 403, 404, 409, 422, 502),
      },
    }),
    async (c) =>
      c.json(
        await sendAgentMessage(
          c.get("ctx"),
          c.req.valid("param").id,
          c.req.valid("json"),
          providerDeps(c.get("runtime")),
        ),
        201,
      ),
  );

  // POST /api/v1/conversations/{id}/draft — an editable AI draft of the bot's reply; nothing is stored or sent
  app.openapi(
    createRoute({
      method: "post",
      path: "/conversations/{id}/draft",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: { params: IdParam },
      responses: { 200: json(DraftResponse), ...errors(401, 403, 404, 409, 422, 502) },
    }),
    async (c) =>
      c.json(await draftBotReply(c.get("ctx"), c.req.valid("param").id, providerDeps(c.get("runtime"))), 200),
  );

  // POST /api/v1/conversations/{id}/read — unread count back to zero
  app.openapi(
    createRoute({
      method: "post",
      path: "/conversations/{id}/read",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: { params: IdParam },
      responses: { 200: json(ConversationDto), ...errors(401, 403, 404) },
    }),
    async (c) => c.json(await markConversationRead(c.get("ctx"), c.req.valid("param").id), 200),
  );

  // POST /api/v1/conversations/{id}/auto-bot — switch the bot on or off for this conversation
  app.openapi(
    createRoute({
      method: "post",
      path: "/conversations/{id}/auto-bot",
      tags: ["conversations"],
      ...permit("conversations.work"),
      request: { params: IdParam, ...jsonBody(ToggleAutoBotInput) },
      responses: { 200: json(ConversationDto), ...errors(400, 401, 403, 404) },
    }),
    async (c) => c.json(await toggleAutoBot(c.get("ctx"), c.req.valid("param").id, c.req.valid("json")), 200),
  );

  return app;
}
