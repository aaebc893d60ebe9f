import { createRoute } from "@hono/zod-openapi";
import {
  CreatePlaygroundSessionInput,
  PLAYGROUND_SSE_EVENTS,
  PlaygroundAnswer,
  PlaygroundChatbotParam,
  PlaygroundChatInput,
  PlaygroundCompareInput,
  PlaygroundCompareResponse,
  PlaygroundSessionDetail,
  PlaygroundSessionDto,
  PlaygroundSessionParam,
} from "@tandem/contracts";
import {
  chatInPlayground,
  compareInPlayground,
  createPlaygroundSession,
  endPlaygroundSession,
  getPlaygroundSession,
  type PlaygroundStreamEvent,
  providerDeps,
  startPlaygroundTurn,
} from "@tandem/core";
import { streamSSE } from "hono/streaming";
import { createRouter, errors, json, jsonBody, permit } from "../openapi.ts";

/**
 * The chatbot playground (seed S2 §2). Every route needs `chatbots.manage` (OWNER, ADMIN), reads
 * included: a playground answer spends the workspace's provider tokens. Overrides apply to the
 * playground only; the live chatbot is never written.
 */
export function chatbotPlaygroundRoutes() {
  const app = createRouter();

  // POST /api/v1/chatbots/{id}/playground/sessions — start a session, with overrides for all its messages
  app.openapi(
    createRoute({
      method: "post",
      path: "/chatbots/{id}/playground/sessions",
      tags: ["playground"],
      ...permit("chatbots.manage"),
      description:
        "`overrideConfig`: `systemPrompt` or `promptVersionId` (one of the chatbot's prompt versions), `model`, `temperature` (0–2), `maxTokens` (1–32,000), `credentialId` (a provider credential of the workspace). An unknown credential or prompt version is a 400 naming the field.",
      // The body may be left out: a session without overrides.
      request: {
        params: PlaygroundChatbotParam,
        body: { required: false, content: { "application/json": { schema: CreatePlaygroundSessionInput } } },
      },
      responses: { 201: json(PlaygroundSessionDto, "Created"), ...errors(400, 401, 403, 404) },
    }),
    async (c) => c.json(await createPlaygroundSession(c.get("ctx"), c.req.valid("param").id, c.req.valid("json")), 201),
  );

  // GET /api/v1/chatbots/{id}/playground/sessions/{sessionId} — the session with its messages
  app.openapi(
    createRoute({
      method: "get",
      path: "/chatbots/{id}/playground/sessions/{sessionId}",
      tags: ["playground"],
      ...permit("chatbots.manage"),
      request: { params: PlaygroundSessionParam },
      responses: { 200: json(PlaygroundSessionDetail), ...errors(401, 403, 404) },
    }),
    async (c) => {
      const { id, sessionId } = c.req.valid("param");
      return c.json(await getPlaygroundSession(c.get("ctx"), id, sessionId), 200);
    },
  );

  // DELETE /api/v1/chatbots/{id}/playground/sessions/{sessionId} — end the session (its messages stay readable)
  app.openapi(
    createRoute({
      method: "delete",
      path: "/chatbots/{id}/playground/sessions/{sessionId}",
      tags: ["playground"],
      ...permit("chatbots.manage"),
      description: "Ending an ended session again answers the same session. Chat in an ended session is a 409.",
      request: { params: PlaygroundSessionParam },
      responses: { 200: json(PlaygroundSessionDto), ...errors(401, 403, 404) },
    }),
    async (c) => {
      const { id, sessionId } = c.req.valid("param");
      return c.json(await endPlaygroundSession(c.get("ctx"), id, sessionId), 200);
    },
  );

  // POST /api/v1/chatbots/{id}/playground/chat — one message answered as the live bot would (JSON or SSE)
  app.openapi(
    createRoute({
      method: "post",
      path: "/chatbots/{id}/playground/chat",
      tags: ["playground"],
      ...permit("chatbots.manage"),
      description: `The message's \`overrideConfig\` goes on top of the session's. With \`Accept: text/event-stream\` the answer streams as server-sent events: \`${PLAYGROUND_SSE_EVENTS.delta}\` \`{text}\` (the model's text as it arrives, before the output guardrails), \`${PLAYGROUND_SSE_EVENTS.sources}\` \`{sources}\`, \`${PLAYGROUND_SSE_EVENTS.completed}\` (the JSON answer), or \`${PLAYGROUND_SSE_EVENTS.error}\` \`{code, message, details?}\` — after which the stream ends. Refusals come before any stream, as JSON errors: 400 (input), 404 (chatbot, session), 409 (session ended, provider not configured). A provider failure answers 502 with its code (\`provider_timeout\`, \`provider_auth_failed\`, \`provider_rate_limited\`…), or the stream's \`error\` event.`,
      request: { params: PlaygroundChatbotParam, ...jsonBody(PlaygroundChatInput) },
      responses: {
        200: {
          description: "The answer, or its server-sent events",
          content: {
            "application/json": { schema: PlaygroundAnswer },
            "text/event-stream": { schema: { type: "string" } },
          },
        },
        ...errors(400, 401, 403, 404, 409, 502),
      },
    }),
    async (c) => {
      const ctx = c.get("ctx");
      const chatbotId = c.req.valid("param").id;
      const input = c.req.valid("json");
      const deps = providerDeps(c.get("runtime"));
      if (!wantsEventStream(c.req.header("accept"))) {
        return c.json(await chatInPlayground(ctx, chatbotId, input, deps, c.req.raw.signal), 200);
      }
      const turn = await startPlaygroundTurn(ctx, chatbotId, input, deps);
      c.header("X-Accel-Buffering", "no");
      // The stream is not one of the route's typed JSON responses, hence the cast.
      return streamSSE(c, async (stream) => {
        const gone = new AbortController();
        stream.onAbort(() => gone.abort());
        try {
          for await (const event of turn.stream(gone.signal)) {
            if (stream.aborted) break;
            await stream.writeSSE(toSse(event));
          }
        } catch (err) {
          // The turn reports its own failures as `error` events; this is a bug, its message kept from
          // the client (Hono's own handler would send it).
          c.get("runtime").log.error({ err, requestId: c.get("requestId") }, "playground stream failed");
          const error = {
            code: "internal_error",
            message: INTERNAL_MESSAGE,
            details: { requestId: c.get("requestId") },
          };
          await stream.writeSSE(toSse({ type: "error", error }));
        }
      }) as never;
    },
  );

  // POST /api/v1/chatbots/{id}/playground/compare — one question, two to four configurations side by side
  app.openapi(
    createRoute({
      method: "post",
      path: "/chatbots/{id}/playground/compare",
      tags: ["playground"],
      ...permit("chatbots.manage"),
      description:
        "Each configuration is an `overrideConfig` (e.g. two `promptVersionId`s); they run concurrently. A configuration whose provider fails carries `error` in its slot, the others their `answer`. Nothing is stored.",
      request: { params: PlaygroundChatbotParam, ...jsonBody(PlaygroundCompareInput) },
      responses: { 200: json(PlaygroundCompareResponse), ...errors(400, 401, 403, 404) },
    }),
    async (c) =>
      c.json(
        await compareInPlayground(
          c.get("ctx"),
          c.req.valid("param").id,
          c.req.valid("json"),
          providerDeps(c.get("runtime")),
          c.req.raw.signal,
        ),
        200,
      ),
  );

  return app;
}

const INTERNAL_MESSAGE = "Something went wrong while answering. Quote the request id when reporting it.";

/** The client asked for server-sent events (`Accept: text/event-stream`, possibly among other types). */
const wantsEventStream = (accept: string | undefined) => /(^|,)\s*text\/event-stream\s*(;|,|$)/i.test(accept ?? "");

function toSse(event: PlaygroundStreamEvent): { event: string; data: string } {
  switch (event.type) {
    case "delta":
      return { event: PLAYGROUND_SSE_EVENTS.delta, data: JSON.stringify({ text: event.text }) };
    case "sources":
      return { event: PLAYGROUND_SSE_EVENTS.sources, data: JSON.stringify({ sources: event.sources }) };
    case "completed":
      return { event: PLAYGROUND_SSE_EVENTS.completed, data: JSON.stringify(event.answer) };
    case "error":
      return { event: PLAYGROUND_SSE_EVENTS.error, data: JSON.stringify(event.error) };
  }
}
