import { createRoute, z } from "@hono/zod-openapi";
import {
  PUBLIC_CHAT_LIMITS,
  PUBLIC_SSE_EVENTS,
  PublicChatAnswer,
  PublicChatMessageInput,
  PublicChatParam,
  PublicFeedbackInput,
  PublicHandoffInput,
  PublicHandoffResult,
  PublicMessageParam,
  PublicSessionMessages,
  PublicSessionMessagesQuery,
  PublicSessionParam,
} from "@tandem/contracts";
import {
  appJobDeps,
  DomainError,
  latestSessionMessageId,
  listSessionMessages,
  type PublicChatStreamEvent,
  type PublicSession,
  type RateLimitRule,
  ratePublicMessage,
  requestHuman,
  sendPublicMessage,
} from "@tandem/core";
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import { publicCaller } from "../middleware/public-caller.ts";
import { createRouter, errors, json, jsonBody } from "../openapi.ts";
import type { AppEnv, PublicCaller } from "../types.ts";

/**
 * The public chat API (`/api/v1/public/chat/{chatbotId}/…`, docs/public-api.md): a developer's server
 * with the chatbot's API key, or the widget with its visitor token — one set of routes for both
 * (middleware/public-caller.ts). An API caller names its sessions; a visitor only ever reaches the
 * session of its token: another session id in the URL is not found (404), in a body forbidden (403).
 */
export interface PublicChatRouteOptions {
  /** Per-key and per-visitor limits (tests lower them). */
  keyRateLimit?: RateLimitRule;
  visitorRateLimit?: RateLimitRule;
}

/** How often the session's event stream looks for new messages (any process may have written them). */
export const SESSION_EVENTS_POLL_MS = 1_000;

export function publicChatRoutes(options: PublicChatRouteOptions = {}) {
  const app = createRouter();
  const caller = {
    middleware: publicCaller({ accept: ["api", "visitor"], ...options }),
    security: [{ apiKey: [] }, { visitorToken: [] }] as Record<string, string[]>[],
  };
  const tags = ["public chat"];

  // POST /api/v1/public/chat/{chatbotId}/messages — a customer's message, answered whole (JSON) or streamed (SSE)
  app.openapi(
    createRoute({
      method: "post",
      path: "/chat/{chatbotId}/messages",
      tags,
      ...caller,
      summary: "Send a customer's message and get the bot's answer",
      description: `With \`X-API-Key\` the body names the session (\`sessionId\`: 1–128 of \`[A-Za-z0-9._-]\`, your own id for one customer's conversation); a widget's \`X-Visitor-Token\` names it already. \`message\`: at most ${PUBLIC_CHAT_LIMITS.messageLength} characters. \`metadata\` (JSON) is kept on the message; \`metadata.name\` / \`metadata.email\` name the customer in the inbox. \`clientMessageId\` makes a retried send a no-op that answers the first send's answer again.

The answer (\`response\`, \`sources\`, \`usage\`) is stored as the bot's message of the conversation, which appears in the inbox like any other. When a person has taken the conversation over the bot stays silent: \`response\` is "" (or the handoff message the customer is told) and \`handoff.reason\` says why; agents' replies come through \`GET …/sessions/{sessionId}/messages\` and \`…/events\`.

With \`Accept: text/event-stream\` the answer streams as server-sent events: \`${PUBLIC_SSE_EVENTS.delta}\` \`{text}\` (the model's text as it arrives), \`${PUBLIC_SSE_EVENTS.sources}\` \`{sources}\`, \`${PUBLIC_SSE_EVENTS.products}\` \`{products}\` (only when the reply recommends products: the cards to show, also in the answer's \`products\`), \`${PUBLIC_SSE_EVENTS.handoff}\` \`{reason, message}\` when a person takes it, then \`${PUBLIC_SSE_EVENTS.completed}\` (the JSON answer) — or \`${PUBLIC_SSE_EVENTS.error}\` \`{code, message}\`, after which the stream ends. A \`: ping\` comment every ${PUBLIC_CHAT_LIMITS.ssePingSeconds} s. Closing the stream early does not lose the answer: it is stored, and listed by the session's messages.

Refusals (JSON, before any stream): 401 (no or wrong key or token), 403 (visitor origin, another session, identity required), 409 \`chatbot_testing\` / \`chatbot_inactive\`, 429 with \`Retry-After\`. 503 \`answer_delayed\`: the provider failed for now; the bot tries again by itself and its answer appears in the session's messages.`,
      request: { params: PublicChatParam, ...jsonBody(PublicChatMessageInput) },
      responses: {
        200: {
          description: "The answer, or its server-sent events",
          content: {
            "application/json": { schema: PublicChatAnswer },
            "text/event-stream": { schema: { type: "string" } },
          },
        },
        ...errors(400, 401, 403, 404, 409, 429, 503),
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const session = sessionOf(c, { body: input.sessionId });
      const runtime = c.get("runtime");
      const turn = await sendPublicMessage(appJobDeps(runtime), {
        session,
        preview: isPreview(c),
        message: input.message,
        metadata: input.metadata,
        clientMessageId: input.clientMessageId,
      });
      if (!wantsEventStream(c.req.header("accept"))) return c.json(await turn.answer(), 200);
      c.header("X-Accel-Buffering", "no");
      return streamSSE(c, async (stream) => {
        const stopPing = ping(stream);
        try {
          // Read to the end even when the client has gone: the answer is then stored all the same.
          for await (const event of turn.stream()) if (!stream.aborted) await stream.writeSSE(toSse(event));
        } catch (err) {
          runtime.log.error({ err, requestId: c.get("requestId") }, "public chat stream failed");
          if (!stream.aborted) {
            await stream.writeSSE(
              toSse({
                type: "error",
                code: "internal_error",
                message: `Something went wrong (request ${c.get("requestId")}).`,
              }),
            );
          }
        } finally {
          stopPing();
        }
      }) as never;
    },
  );

  // GET /api/v1/public/chat/{chatbotId}/sessions/{sessionId}/messages — the session's messages after a cursor
  app.openapi(
    createRoute({
      method: "get",
      path: "/chat/{chatbotId}/sessions/{sessionId}/messages",
      tags,
      ...caller,
      summary: "List a session's messages",
      description:
        "Oldest first, after the message `after` (exclusive; omit it for the start), at most `limit` (1–200, default 100); `hasMore` when more follow. What the customer may see: their own messages, the bot's answers (with `sources`) and agents' replies (with `author.name`) — never internal notes or events. `humanActive`: a person has the conversation and the bot stays silent. A session that has not written yet has no messages (`conversationId` null).",
      request: { params: PublicSessionParam, query: PublicSessionMessagesQuery },
      responses: { 200: json(PublicSessionMessages), ...errors(400, 401, 403, 404, 429) },
    }),
    async (c) => {
      const session = sessionOf(c, { url: c.req.valid("param").sessionId });
      return c.json(await listSessionMessages(c.get("runtime").database.db, session, c.req.valid("query")), 200);
    },
  );

  // GET /api/v1/public/chat/{chatbotId}/sessions/{sessionId}/events — new messages of the session, live (SSE)
  app.openapi(
    createRoute({
      method: "get",
      path: "/chat/{chatbotId}/sessions/{sessionId}/events",
      tags,
      ...caller,
      summary: "Stream a session's new messages (server-sent events)",
      description: `Every new message of the session the customer may see — agents' replies, the bot's answers, the customer's own from elsewhere — as a \`${PUBLIC_SSE_EVENTS.message}\` event whose data is the message (as in \`…/messages\`) and whose \`id\` is its id. With \`Last-Event-ID\` (or \`?after=\`) the stream first replays what came after that message, so a reconnecting client misses nothing; without, it starts with the next new message. A \`: ping\` comment every ${PUBLIC_CHAT_LIMITS.ssePingSeconds} s.`,
      request: { params: PublicSessionParam, query: z.object({ after: z.string().max(64).optional() }) },
      responses: {
        200: { description: "Server-sent events", content: { "text/event-stream": { schema: { type: "string" } } } },
        ...errors(400, 401, 403, 404, 429),
      },
    }),
    async (c) => {
      const session = sessionOf(c, { url: c.req.valid("param").sessionId });
      const db = c.get("runtime").database.db;
      let cursor =
        c.req.header("last-event-id") || c.req.valid("query").after || (await latestSessionMessageId(db, session));
      // An unknown cursor is refused before the stream starts (400 `invalid_cursor`).
      let page = await listSessionMessages(db, session, { after: cursor ?? undefined, limit: 100 });
      c.header("X-Accel-Buffering", "no");
      return streamSSE(c, async (stream) => {
        const stopPing = ping(stream);
        try {
          while (!stream.aborted) {
            for (const message of page.messages) {
              await stream.writeSSE({
                event: PUBLIC_SSE_EVENTS.message,
                id: message.id,
                data: JSON.stringify(message),
              });
              cursor = message.id;
            }
            if (!page.hasMore) await stream.sleep(SESSION_EVENTS_POLL_MS);
            if (stream.aborted) break;
            page = await listSessionMessages(db, session, { after: cursor ?? undefined, limit: 100 });
          }
        } finally {
          stopPing();
        }
      }) as never;
    },
  );

  // POST /api/v1/public/chat/{chatbotId}/messages/{messageId}/feedback — rate a bot answer
  app.openapi(
    createRoute({
      method: "post",
      path: "/chat/{chatbotId}/messages/{messageId}/feedback",
      tags,
      ...caller,
      summary: "Rate a bot answer",
      description:
        "`rating`: `helpful`, `not_helpful` or `inappropriate`, with an optional `text` (at most 1,000 characters). One rating per message and session: rating again replaces it. Only the bot's answers of the session's own conversation: another session's message is a 404, a customer's or an agent's message a 409 `feedback_not_allowed`. With an API key, the body names the session (`sessionId`).",
      request: { params: PublicMessageParam, ...jsonBody(PublicFeedbackInput) },
      responses: {
        200: json(z.object({ messageId: z.string(), rating: PublicFeedbackInput.shape.rating })),
        ...errors(400, 401, 403, 404, 409, 429),
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      const session = sessionOf(c, { body: input.sessionId });
      return c.json(
        await ratePublicMessage(c.get("runtime").database.db, session, c.req.valid("param").messageId, input),
        200,
      );
    },
  );

  // POST /api/v1/public/chat/{chatbotId}/sessions/{sessionId}/handoff — "talk to a person"
  app.openapi(
    createRoute({
      method: "post",
      path: "/chat/{chatbotId}/sessions/{sessionId}/handoff",
      tags,
      ...caller,
      summary: "Ask for a person",
      description:
        "Hands the session's conversation to the team (reason `human_requested`): the bot stays silent, agents see it waiting in the inbox, and the customer is told a person will reply (`message`, the chatbot's handoff message, also sent to the session like any answer). Works before the session's first message too. When a person already has the conversation nothing more happens (`reason` says why it is with them).",
      request: {
        params: PublicSessionParam,
        body: { required: false, content: { "application/json": { schema: PublicHandoffInput } } },
      },
      responses: { 200: json(PublicHandoffResult), ...errors(400, 401, 403, 404, 409, 429) },
    }),
    async (c) => {
      const session = sessionOf(c, { url: c.req.valid("param").sessionId });
      const input = c.req.valid("json") ?? {};
      return c.json(
        await requestHuman(appJobDeps(c.get("runtime")), session, { preview: isPreview(c), reason: input.reason }),
        200,
      );
    },
  );

  return app;
}

/**
 * The session a request is about. An API caller names it (in the URL, or the body where the URL has
 * none: required there); a visitor's is its token's, and naming another is refused.
 */
function sessionOf(c: Context<AppEnv>, named: { url?: string; body?: string | undefined }): PublicSession {
  const caller: PublicCaller = c.get("publicCaller");
  if (caller.kind === "api") {
    const sessionId = named.url ?? named.body;
    if (!sessionId) {
      throw new DomainError("invalid_input", "Name the session: `sessionId` is required with an API key.", {
        details: [{ path: "sessionId", message: "Required" }],
      });
    }
    return { chatbot: caller.chatbot, kind: "api", sessionId };
  }
  if (named.url !== undefined && named.url !== caller.sessionId) {
    throw new DomainError("session_not_found", "No such session.");
  }
  if (named.body !== undefined && named.body !== caller.sessionId) {
    throw new DomainError("forbidden", "This visitor token is for another session.");
  }
  return { chatbot: caller.chatbot, kind: "web", sessionId: caller.sessionId };
}

/** The widget preview: a visitor on the dashboard's own origin (where a `testing` chatbot answers). */
function isPreview(c: Context<AppEnv>): boolean {
  const caller = c.get("publicCaller");
  return caller.kind === "visitor" && caller.origin === new URL(c.get("runtime").config.appOrigin).origin;
}

/** The client asked for server-sent events (`Accept: text/event-stream`, possibly among other types). */
const wantsEventStream = (accept: string | undefined) => /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept ?? "");

/** A comment line every `ssePingSeconds`, so proxies keep an idle stream open; returns the stop. */
function ping(stream: SSEStreamingApi): () => void {
  const timer = setInterval(() => {
    if (!stream.aborted) void stream.write(": ping\n\n").catch(() => {});
  }, PUBLIC_CHAT_LIMITS.ssePingSeconds * 1000);
  return () => clearInterval(timer);
}

function toSse(event: PublicChatStreamEvent): { event: string; data: string } {
  switch (event.type) {
    case "delta":
      return { event: PUBLIC_SSE_EVENTS.delta, data: JSON.stringify({ text: event.text }) };
    case "sources":
      return { event: PUBLIC_SSE_EVENTS.sources, data: JSON.stringify({ sources: event.sources }) };
    case "products":
      return { event: PUBLIC_SSE_EVENTS.products, data: JSON.stringify({ products: event.products }) };
    case "handoff":
      return {
        event: PUBLIC_SSE_EVENTS.handoff,
        data: JSON.stringify({ reason: event.reason, message: event.message }),
      };
    case "completed":
      return { event: PUBLIC_SSE_EVENTS.completed, data: JSON.stringify(event.answer) };
    case "error":
      return { event: PUBLIC_SSE_EVENTS.error, data: JSON.stringify({ code: event.code, message: event.message }) };
  }
}
