/**
 * A test-only stand-in for Tandem's public chat API and widget gateway, speaking the wire contract
 * (packages/contracts/src/public-chat.ts) over real HTTP, SSE and Socket.IO, so the widget can be
 * driven in a real browser without the whole server. A second server plays the customer's site on
 * another origin and embeds the loader's script tag. The full-stack test is tests/e2e/widget.spec.ts.
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import {
  PublicChatMessageInput,
  PublicFeedbackInput,
  PublicHandoffInput,
  PublicIdentifyInput,
  type PublicMessageDto,
  type PublicWidgetConfig,
} from "@tandem/contracts/public-chat";
import { PUBLIC_HEADERS, PUBLIC_SSE_EVENTS, WIDGET_SOCKET } from "@tandem/contracts/public-chat-wire";
import { Server as SocketServer } from "socket.io";

const DIST = path.resolve(import.meta.dirname, "../dist");
export const CHATBOT_ID = "bot_demo";

interface Session {
  id: string;
  messages: PublicMessageDto[];
  humanActive: boolean;
  pages: { url: string; title?: string }[];
  feedback: Record<string, string>;
  configCalls: number;
}

export interface FakeOptions {
  /** Visitor token lifetime (the widget refreshes at two thirds of it). */
  tokenTtlSeconds?: number;
  config?: Partial<PublicWidgetConfig>;
}

export interface FakeServers {
  /** Tandem's origin (serves loader.js, widget.js, the API and the socket). */
  apiUrl: string;
  /** The customer's site, another origin, whose pages embed the script tag. */
  siteUrl: string;
  sessions: Map<string, Session>;
  pushAgentMessage(
    sessionId: string,
    text: string,
    name: string,
    attachments?: PublicMessageDto["attachments"],
  ): PublicMessageDto;
  /** An agent starts or stops typing. */
  agentTyping(sessionId: string, name: string, typing: boolean): void;
  /** Cuts the session's sockets (the widget reconnects by itself). */
  dropSockets(sessionId: string): void;
  /** The next POST …/messages fails with 503 before anything is stored, as a server restarting would. */
  failNextSend(): void;
  /** Streams stop half-way until `release()` (to see an answer arrive in parts). */
  holdStreams(): { release(): void };
  close(): Promise<void>;
}

let counter = 0;
const nextId = (prefix: string) => `${prefix}_${(++counter).toString().padStart(6, "0")}`;

function message(role: PublicMessageDto["role"], text: string, author: string | null = null): PublicMessageDto {
  return {
    id: nextId("msg"),
    role,
    text,
    attachments: [],
    author: author ? { name: author } : null,
    sources: [],
    products: [],
    feedback: null,
    createdAt: new Date().toISOString(),
  };
}

/** An 8×8 PNG, the store's product image (served by the fake server at `/img/…`). */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAAEUlEQVQImWNgOx6KFTEMLQkAQKxIgXAi5VsAAAAASUVORK5CYII=",
  "base64",
);

/**
 * A question about shirts is answered with two product cards: one in stock with its image (on
 * `imageBase`), one out of stock without an image.
 */
export function productsFor(question: string, imageBase: string): PublicMessageDto["products"] {
  if (!/shirt/i.test(question)) return [];
  const card = {
    productId: "gid://shopify/Product/1",
    title: "Linen shirt",
    priceText: "฿1,290.00",
    price: "1290.00",
    currency: "THB",
    available: true,
    imageUrl: `${imageBase}/img/linen-shirt.png`,
    url: "https://shop.test/products/linen-shirt",
    variantTitle: "M / Natural",
  };
  return [
    card,
    {
      ...card,
      productId: "gid://shopify/Product/2",
      title: "Cotton shirt with a very long name that has to wrap on two lines",
      priceText: "฿990.00",
      available: false,
      imageUrl: null,
      url: "https://shop.test/products/cotton-shirt",
      variantTitle: null,
    },
  ];
}

/** The bot's canned answer, with Markdown the widget must render safely. */
export function botAnswer(question: string): string {
  return `Here is **the answer** to: ${question}\n\n- first point\n- see [the docs](https://example.com/docs)\n\n[bad link](javascript:alert(1)) <img src=x onerror=alert(1)>`;
}

/** The request's JSON body, checked against the contract's (strict) input schema: the widget must send exactly that. */
async function readBody<T>(req: IncomingMessage, schema: { parse(value: unknown): T }): Promise<T> {
  let raw = "";
  for await (const chunk of req) raw += chunk;
  return schema.parse(raw ? JSON.parse(raw) : {});
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
}

export async function startFakeServers(options: FakeOptions = {}): Promise<FakeServers> {
  const sessions = new Map<string, Session>();
  const tokens = new Map<string, { sessionId: string; origin: string; expiresAt: number }>();
  const ttl = (options.tokenTtlSeconds ?? 900) * 1000;
  let siteOrigin = "";
  let gate: Promise<void> | null = null;
  let failSend = false;

  const issue = (sessionId: string, origin: string) => {
    const token = `vt_${nextId("tok")}`;
    const expiresAt = Date.now() + ttl;
    tokens.set(token, { sessionId, origin, expiresAt });
    return { sessionId, token, expiresAt: new Date(expiresAt).toISOString() };
  };
  const verify = (token: string | undefined, origin: string | undefined) => {
    const entry = token ? tokens.get(token) : undefined;
    if (!entry || entry.expiresAt < Date.now() || entry.origin !== origin) return null;
    return sessions.get(entry.sessionId) ?? null;
  };

  // A body outside the contract is a 400 naming the problem (and fails the test that sent it).
  const api = createServer((req, res) =>
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) json(res, 400, { error: { code: "validation_failed", message: error.message } });
      else res.end();
    }),
  );
  const io = new SocketServer(api, { path: WIDGET_SOCKET.path, cors: { origin: "*" } });
  const widget = io.of(WIDGET_SOCKET.namespace);
  widget.use((socket, next) => {
    const session = verify(socket.handshake.auth.token as string | undefined, socket.handshake.headers.origin);
    if (!session) return next(new Error("unauthorized"));
    socket.data.sessionId = session.id;
    next();
  });
  widget.on("connection", (socket) => {
    const session = sessions.get(socket.data.sessionId as string)!;
    void socket.join(session.id);
    socket.on(WIDGET_SOCKET.events.page, (page: { url: string; title?: string }) => session.pages.push(page));
    socket.on(WIDGET_SOCKET.events.tokenRefresh, ({ token }: { token: string }) => {
      if (verify(token, socket.handshake.headers.origin)?.id !== session.id) socket.disconnect();
    });
  });
  const publish = (session: Session, m: PublicMessageDto) =>
    widget.to(session.id).emit(WIDGET_SOCKET.events.message, m);

  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "Content-Type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, status: number, code: string) =>
    json(res, status, { error: { code, message: code } });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.setHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS");
    res.setHeader(
      "Access-Control-Allow-Headers",
      `Content-Type, Accept, ${PUBLIC_HEADERS.visitorToken}, ${PUBLIC_HEADERS.visitorSession}`,
    );
    if (req.method === "OPTIONS") {
      res.writeHead(204).end();
      return;
    }
    if (
      url.pathname === `/api/v1/public/widget/${CHATBOT_ID}/loader.js` ||
      url.pathname === "/api/v1/public/widget/widget.js"
    ) {
      res.writeHead(200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" });
      res.end(readFileSync(path.join(DIST, path.basename(url.pathname))));
      return;
    }
    if (url.pathname.startsWith("/img/")) {
      res.writeHead(200, { "Content-Type": "image/png" });
      res.end(PNG);
      return;
    }
    if (url.pathname === "/not-allowed") {
      // A page on an origin the chatbot does not allow (this server's own).
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><title>Elsewhere</title><h1>Elsewhere</h1>
<script src="/api/v1/public/widget/${CHATBOT_ID}/loader.js" async></script>`);
      return;
    }
    const route = /^\/api\/v1\/public\/chat\/([^/]+)(\/.*)$/.exec(url.pathname);
    if (!route || route[1] !== CHATBOT_ID) return fail(res, 404, "not_found");
    const rest = route[2]!;
    const origin = req.headers.origin;

    if (rest === "/config" && req.method === "GET") {
      if (origin !== siteOrigin) return json(res, 200, config(null));
      const asked = req.headers[PUBLIC_HEADERS.visitorSession.toLowerCase()] as string | undefined;
      let session = asked ? sessions.get(asked) : undefined;
      if (!session) {
        session = {
          id: `ws_${nextId("s")}`,
          messages: [],
          humanActive: false,
          pages: [],
          feedback: {},
          configCalls: 0,
        };
        sessions.set(session.id, session);
      }
      session.configCalls++;
      return json(res, 200, config(issue(session.id, origin)));
    }

    const session = verify(req.headers[PUBLIC_HEADERS.visitorToken.toLowerCase()] as string | undefined, origin);
    if (!session) return fail(res, 401, "visitor_token_invalid");

    if (rest === "/messages" && req.method === "POST") {
      const body = await readBody(req, PublicChatMessageInput);
      if (failSend) {
        failSend = false;
        return fail(res, 503, "unavailable");
      }
      if (body.sessionId !== undefined && body.sessionId !== session.id) return fail(res, 403, "session_mismatch");
      if (req.headers.accept !== "text/event-stream") return fail(res, 406, "expected_event_stream");
      const text = body.message;
      const userMessage = message("USER", text);
      session.messages.push(userMessage);
      publish(session, userMessage);
      res.writeHead(200, {
        "Content-Type": "text/event-stream",
        "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no",
      });
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      if (session.humanActive) {
        send(PUBLIC_SSE_EVENTS.completed, answer(userMessage.id, null, ""));
        res.end();
        return;
      }
      res.write(": ping\n\n");
      const full = botAnswer(text);
      const words = full.split(/(?<= )/);
      // Words arrive one by one, split across writes mid-line, as a proxy might deliver them.
      for (const [i, word] of words.entries()) {
        if (i === 4 && gate) await gate;
        const frame = `event: ${PUBLIC_SSE_EVENTS.delta}\ndata: ${JSON.stringify({ text: word })}\n\n`;
        const cut = Math.floor(frame.length / 2);
        res.write(frame.slice(0, cut));
        await new Promise((r) => setTimeout(r, 15));
        res.write(frame.slice(cut));
      }
      const reply = { ...message("BOT", full), products: productsFor(text, apiUrl) };
      session.messages.push(reply);
      publish(session, reply);
      send(PUBLIC_SSE_EVENTS.sources, { sources: [] });
      if (reply.products.length) send(PUBLIC_SSE_EVENTS.products, { products: reply.products });
      send(PUBLIC_SSE_EVENTS.completed, answer(userMessage.id, reply.id, full, reply.products));
      res.end();
      return;
    }

    const sessionRoute = /^\/sessions\/([^/]+)\/(messages|handoff)$/.exec(rest);
    if (sessionRoute) {
      if (sessionRoute[1] !== session.id) return fail(res, 403, "session_mismatch");
      if (sessionRoute[2] === "messages" && req.method === "GET") {
        const after = url.searchParams.get("after");
        const start = after ? session.messages.findIndex((m) => m.id === after) + 1 : 0;
        const messages = session.messages.slice(start);
        return json(res, 200, { conversationId: "conv_1", humanActive: session.humanActive, messages, hasMore: false });
      }
      if (sessionRoute[2] === "handoff" && req.method === "POST") {
        await readBody(req, PublicHandoffInput);
        session.humanActive = true;
        return json(res, 200, { ok: true });
      }
    }

    const feedbackRoute = /^\/messages\/([^/]+)\/feedback$/.exec(rest);
    if (feedbackRoute && req.method === "POST") {
      const body = await readBody(req, PublicFeedbackInput);
      const target = session.messages.find((m) => m.id === feedbackRoute[1]);
      if (target?.role !== "BOT") return fail(res, 404, "message_not_found");
      target.feedback = body.rating;
      session.feedback[target.id] = String(body.rating);
      return json(res, 200, { ok: true });
    }

    if (rest === "/identify" && req.method === "POST") {
      const body = await readBody(req, PublicIdentifyInput);
      return json(res, 200, { verified: body.userHash !== undefined });
    }
    fail(res, 404, "not_found");
  }

  const answer = (
    messageId: string,
    replyMessageId: string | null,
    response: string,
    products: PublicMessageDto["products"] = [],
  ) => ({
    messageId,
    replyMessageId,
    conversationId: "conv_1",
    response,
    sources: [],
    products,
    usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    handoff: null,
  });

  const config = (visitor: PublicWidgetConfig["visitor"]): PublicWidgetConfig => ({
    chatbotId: CHATBOT_ID,
    name: "Demo Bot",
    welcomeMessage: "Hi! How can we help?",
    language: "en",
    theme: {
      primaryColor: "#0f766e",
      fontFamily: "system-ui, sans-serif",
      borderRadius: "12px",
      position: "bottom-right",
    },
    customCss: ".title { letter-spacing: 0.5px; }",
    features: {
      fileUpload: false,
      voiceInput: false,
      suggestedQuestions: ["What are your opening hours?", "Do you ship abroad?"],
      requireVerifiedIdentity: false,
    },
    agentsOnline: true,
    ...options.config,
    visitor,
  });

  const apiPort = await listen(api);
  const apiUrl = `http://127.0.0.1:${apiPort}`;

  const site = createServer((req, res) => {
    const page = new URL(req.url ?? "/", "http://site").pathname;
    const headers: Record<string, string> = { "Content-Type": "text/html; charset=utf-8" };
    if (page === "/strict") {
      // A strict policy that allows Tandem's origin for scripts and connections, and no inline style.
      const ws = apiUrl.replace(/^http/, "ws");
      headers["Content-Security-Policy"] =
        `default-src 'self'; script-src 'self' ${apiUrl}; connect-src ${apiUrl} ${ws}; style-src 'self'; img-src 'self'`;
    }
    res.writeHead(200, headers);
    res.end(`<!doctype html><html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Shop ${page}</title></head><body>
<h1>Shop page ${page}</h1><a href="/other">Other page</a> <button id="host-button">Host button</button>
<script src="${apiUrl}/api/v1/public/widget/${CHATBOT_ID}/loader.js" async></script></body></html>`);
  });
  const sitePort = await listen(site);
  // "localhost" against the API's "127.0.0.1": another origin, as a customer's site would be.
  const siteUrl = `http://localhost:${sitePort}`;
  siteOrigin = siteUrl;

  return {
    apiUrl,
    siteUrl,
    sessions,
    pushAgentMessage(sessionId, text, name, attachments = []) {
      const session = sessions.get(sessionId)!;
      const m = { ...message("AGENT", text, name), attachments };
      session.humanActive = true; // an agent who replies has taken the conversation
      session.messages.push(m);
      publish(session, m);
      return m;
    },
    failNextSend() {
      failSend = true;
    },
    agentTyping(sessionId, name, typing) {
      widget.to(sessionId).emit(WIDGET_SOCKET.events.typing, { typing, role: "AGENT", name });
    },
    dropSockets(sessionId) {
      // As a network drop would: the transport closes, the server did not ask the client to leave.
      for (const socket of widget.sockets.values()) if (socket.data.sessionId === sessionId) socket.conn.close();
    },
    holdStreams() {
      let release = () => {};
      gate = new Promise<void>((resolve) => {
        release = () => {
          gate = null;
          resolve();
        };
      });
      return { release };
    },
    async close() {
      site.closeAllConnections();
      await new Promise((r) => site.close(r));
      api.closeAllConnections();
      await io.close(); // closes the API server too
    },
  };
}
