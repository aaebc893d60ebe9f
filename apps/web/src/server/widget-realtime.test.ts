import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "@tandem/api";
import { CSRF_HEADER, PUBLIC_CHAT_LIMITS, rooms, SOCKET_EVENTS, WIDGET_SOCKET } from "@tandem/contracts";
import {
  type ChatbotRow,
  issueVisitorToken,
  newWidgetSessionId,
  type Runtime,
  visitorMetadata,
  widgetContact,
} from "@tandem/core";
import { chatbots } from "@tandem/db";
import { createChatbot, createConversation, createMessage } from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../../tests/support/workspace.ts";
import { attachRealtime } from "./realtime.ts";

const SHOP = "https://shop.example.com";
const CHROME_ON_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

let runtime: Runtime;
let server: Server;
let baseUrl: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  runtime = await createTestRuntime();
  const listener = getRequestListener(createApp(runtime).fetch);
  server = createServer((req, res) => listener(req, res));
  await attachRealtime(server, runtime);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
});

async function setup() {
  const ws = await createSignInWorkspace(runtime);
  const chatbot = await createChatbot(runtime.database.db, {
    workspaceId: ws.workspace.id,
    widgetConfig: { allowedDomains: ["shop.example.com"] },
  });
  return { ws, chatbot };
}

const tokenFor = (chatbot: ChatbotRow, sessionId = newWidgetSessionId(), origin = SHOP, now = new Date()) =>
  issueVisitorToken(runtime.authSecret, { chatbotId: chatbot.id, sessionId, origin }, now);

function openWidget(token: string | undefined, origin = SHOP, options: { query?: Record<string, string> } = {}) {
  const socket = connect(`${baseUrl}${WIDGET_SOCKET.namespace}`, {
    path: WIDGET_SOCKET.path,
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    ...(token === undefined ? {} : { auth: { token } }),
    ...(options.query ? { query: options.query } : {}),
    extraHeaders: { origin, "user-agent": CHROME_ON_MAC },
  });
  sockets.push(socket);
  return socket;
}

/** A dashboard session: its cookie and the CSRF token its mutations carry. */
async function signIn(email: string): Promise<{ cookie: string; csrf: string }> {
  const res = await fetch(`${baseUrl}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email, password: TEST_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
}

/** A dashboard mutation as that member's browser sends it. */
const post = (session: { cookie: string; csrf: string }, path: string, body: unknown) =>
  fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      origin: baseUrl,
      cookie: session.cookie,
      [CSRF_HEADER]: session.csrf,
    },
    body: JSON.stringify(body),
  });

async function openDashboard(email: string) {
  const { cookie } = await signIn(email);
  const socket = connect(baseUrl, {
    path: "/socket.io",
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    extraHeaders: { cookie },
  });
  sockets.push(socket);
  await connected(socket);
  return socket;
}

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });

const refusedWith = async (socket: Socket) => {
  const err = await connected(socket).then(
    () => {
      throw new Error("the socket was accepted");
    },
    (e: Error) => e,
  );
  return err.message;
};

const emitWithAck = (socket: Socket, event: string, payload: unknown) =>
  socket.timeout(5000).emitWithAck(event, payload) as Promise<{ ok: boolean; error?: { code: string } }>;

describe("widget namespace", () => {
  it("refuses a missing, forged or expired token, and a token sent only in the URL", async () => {
    const { chatbot } = await setup();
    expect(await refusedWith(openWidget(undefined))).toBe("invalid_visitor_token");
    const { token } = tokenFor(chatbot);
    const [v, payload] = token.split(".");
    expect(await refusedWith(openWidget(`${v}.${payload}.forgedsignature`))).toBe("invalid_visitor_token");
    expect(await refusedWith(openWidget(undefined, SHOP, { query: { token } }))).toBe("invalid_visitor_token");
    const lapsed = tokenFor(chatbot, newWidgetSessionId(), SHOP, new Date(Date.now() - 3_600_000));
    expect(await refusedWith(openWidget(lapsed.token))).toBe("visitor_token_expired");
  });

  it("refuses another origin than the token's, and an origin the chatbot no longer allows", async () => {
    const { chatbot } = await setup();
    const { token } = tokenFor(chatbot);
    expect(await refusedWith(openWidget(token, "https://evil.example"))).toBe("origin_not_allowed");
    await connected(openWidget(token));
    await runtime.database.db
      .update(chatbots)
      .set({ widgetConfig: { allowedDomains: ["other.example.com"] } })
      .where(eq(chatbots.id, chatbot.id));
    expect(await refusedWith(openWidget(token))).toBe("origin_not_allowed");
    await runtime.database.db.update(chatbots).set({ status: "inactive" }).where(eq(chatbots.id, chatbot.id));
    expect(await refusedWith(openWidget(tokenFor(chatbot).token))).toBe("chatbot_inactive");
  });

  it("delivers a session's events to that session's sockets only", async () => {
    const { chatbot } = await setup();
    const mine = tokenFor(chatbot);
    const theirs = tokenFor(chatbot);
    const tabs = [openWidget(mine.token), openWidget(mine.token)];
    const other = openWidget(theirs.token);
    await Promise.all([...tabs, other].map(connected));
    const received = new Map<Socket, string[]>();
    for (const socket of [...tabs, other]) {
      received.set(socket, []);
      socket.on(WIDGET_SOCKET.events.message, (m: { id: string }) => received.get(socket)!.push(m.id));
    }
    const otherGotTheirs = new Promise((resolve) => other.once(WIDGET_SOCKET.events.message, resolve));
    const tabsGotMine = tabs.map((t) => new Promise((resolve) => t.once(WIDGET_SOCKET.events.message, resolve)));
    runtime.realtime.emit(rooms.widgetSession(chatbot.id, mine.sessionId), WIDGET_SOCKET.events.message, {
      id: "msg_mine",
    });
    runtime.realtime.emit(rooms.widgetSession(chatbot.id, theirs.sessionId), WIDGET_SOCKET.events.message, {
      id: "msg_theirs",
    });
    // Dashboard rooms stay on the dashboard's namespace.
    runtime.realtime.emit(rooms.workspace(chatbot.workspaceId), WIDGET_SOCKET.events.message, { id: "msg_agents" });
    await Promise.all([otherGotTheirs, ...tabsGotMine]);
    // One more round trip for each: anything else sent to them has arrived by then.
    await Promise.all([...tabs, other].map((s) => emitWithAck(s, WIDGET_SOCKET.events.page, {})));
    for (const tab of tabs) expect(received.get(tab)).toEqual(["msg_mine"]);
    expect(received.get(other)).toEqual(["msg_theirs"]);
  });

  it("stores the visitor's page and browser, and refuses a page of another site", async () => {
    const { chatbot } = await setup();
    const visitor = tokenFor(chatbot);
    const socket = openWidget(visitor.token);
    await connected(socket);
    expect(await emitWithAck(socket, WIDGET_SOCKET.events.page, { url: "https://evil.example/x" })).toMatchObject({
      ok: false,
      error: { code: "invalid_input" },
    });
    expect(await emitWithAck(socket, WIDGET_SOCKET.events.page, { url: "javascript:alert(1)" })).toMatchObject({
      ok: false,
    });
    expect(
      await emitWithAck(socket, WIDGET_SOCKET.events.page, {
        url: `${SHOP}/${"x".repeat(PUBLIC_CHAT_LIMITS.pageUrlLength)}`,
      }),
    ).toMatchObject({ ok: false });
    expect(
      await emitWithAck(socket, WIDGET_SOCKET.events.page, { url: `${SHOP}/pricing?plan=pro`, title: "Pricing" }),
    ).toEqual({ ok: true });
    const contact = await widgetContact(runtime.database.db, chatbot, visitor.sessionId);
    expect(visitorMetadata(contact)).toMatchObject({
      pageUrl: `${SHOP}/pricing?plan=pro`,
      pageTitle: "Pricing",
      browser: "Chrome",
      os: "macOS",
    });
  });

  it("shows the visitor online while a socket of the session is open, and tells the agents", async () => {
    const { ws, chatbot } = await setup();
    const visitor = tokenFor(chatbot);
    const first = openWidget(visitor.token);
    await connected(first);
    await emitWithAck(first, WIDGET_SOCKET.events.page, { url: `${SHOP}/` });
    const db = runtime.database.db;
    const contact = (await widgetContact(db, chatbot, visitor.sessionId))!;
    const conversation = await createConversation(db, {
      workspaceId: ws.workspace.id,
      channelId: contact.channelId,
      contactId: contact.id,
      chatbotId: chatbot.id,
    });
    const online = async () => visitorMetadata(await widgetContact(db, chatbot, visitor.sessionId)).online;
    await vi.waitFor(async () => expect(await online()).toBe(true), { timeout: 5000 });

    const agent = await openDashboard(ws.agent.user.email);
    const updates: { id: string }[] = [];
    agent.on(SOCKET_EVENTS.conversationUpdated, (dto: { id: string }) => updates.push(dto));
    const second = openWidget(visitor.token);
    await connected(second);
    first.disconnect();
    // Still online: another tab is open.
    await emitWithAck(second, WIDGET_SOCKET.events.page, { url: `${SHOP}/two` });
    expect(await online()).toBe(true);
    second.disconnect();
    await vi.waitFor(async () => expect(await online()).toBe(false), { timeout: 5000 });
    const seen = (await widgetContact(db, chatbot, visitor.sessionId))!.lastSeenAt;
    expect(seen).not.toBeNull();
    await vi.waitFor(() => expect(updates.some((u) => u.id === conversation.id)).toBe(true), { timeout: 5000 });
  });

  it("forwards the visitor's typing to the agents in their conversation", async () => {
    const { ws, chatbot } = await setup();
    const visitor = tokenFor(chatbot);
    const socket = openWidget(visitor.token);
    await connected(socket);
    await emitWithAck(socket, WIDGET_SOCKET.events.page, { url: `${SHOP}/` });
    const db = runtime.database.db;
    const contact = (await widgetContact(db, chatbot, visitor.sessionId))!;
    const conversation = await createConversation(db, {
      workspaceId: ws.workspace.id,
      channelId: contact.channelId,
      contactId: contact.id,
    });
    const agent = await openDashboard(ws.agent.user.email);
    expect(await agent.timeout(5000).emitWithAck(SOCKET_EVENTS.conversationJoin, conversation.id)).toEqual({
      ok: true,
    });
    const events: unknown[] = [];
    agent.on(SOCKET_EVENTS.contactTyping, (e) => events.push(e));
    socket.emit(WIDGET_SOCKET.events.typing, { typing: true });
    await vi.waitFor(() => expect(events).toEqual([{ conversationId: conversation.id, typing: true }]));
    socket.emit(WIDGET_SOCKET.events.typing, { typing: false });
    await vi.waitFor(() => expect(events).toContainEqual({ conversationId: conversation.id, typing: false }));
  });

  it("shows the visitor an agent writing a reply, never a note", async () => {
    const { ws, chatbot } = await setup();
    const visitor = tokenFor(chatbot);
    const socket = openWidget(visitor.token);
    await connected(socket);
    await emitWithAck(socket, WIDGET_SOCKET.events.page, { url: `${SHOP}/` });
    const db = runtime.database.db;
    const contact = (await widgetContact(db, chatbot, visitor.sessionId))!;
    const conversation = await createConversation(db, {
      workspaceId: ws.workspace.id,
      channelId: contact.channelId,
      contactId: contact.id,
    });
    const agent = await openDashboard(ws.agent.user.email);
    expect(await agent.timeout(5000).emitWithAck(SOCKET_EVENTS.conversationJoin, conversation.id)).toEqual({
      ok: true,
    });
    const seen: unknown[] = [];
    socket.on(WIDGET_SOCKET.events.typing, (e) => seen.push(e));
    const name = ws.agent.user.name;

    agent.emit(SOCKET_EVENTS.conversationTyping, { conversationId: conversation.id, typing: true, note: true });
    agent.emit(SOCKET_EVENTS.conversationTyping, { conversationId: conversation.id, typing: false, note: true });
    agent.emit(SOCKET_EVENTS.conversationTyping, { conversationId: conversation.id, typing: true });
    await vi.waitFor(() => expect(seen).toEqual([{ typing: true, role: "AGENT", name }]));
    // Switching to a note stops it for the visitor.
    agent.emit(SOCKET_EVENTS.conversationTyping, { conversationId: conversation.id, typing: true, note: true });
    await vi.waitFor(() => expect(seen.at(-1)).toEqual({ typing: false, role: "AGENT", name }));
    agent.emit(SOCKET_EVENTS.conversationTyping, { conversationId: conversation.id, typing: true });
    await vi.waitFor(() => expect(seen).toHaveLength(3));
    // The agent's tab closing stops it too.
    agent.disconnect();
    await vi.waitFor(() => expect(seen.at(-1)).toEqual({ typing: false, role: "AGENT", name }));
    expect(seen).toHaveLength(4);
  });

  it("takes a message a moderator removed out of the visitor's open widget, and nobody else's", async () => {
    const { ws, chatbot } = await setup();
    const db = runtime.database.db;
    const visitor = tokenFor(chatbot);
    const other = tokenFor(chatbot);
    const socket = openWidget(visitor.token);
    const otherSocket = openWidget(other.token);
    await Promise.all([connected(socket), connected(otherSocket)]);
    await emitWithAck(socket, WIDGET_SOCKET.events.page, { url: `${SHOP}/` });
    const contact = (await widgetContact(db, chatbot, visitor.sessionId))!;
    const conversation = await createConversation(db, {
      workspaceId: ws.workspace.id,
      channelId: contact.channelId,
      contactId: contact.id,
      chatbotId: chatbot.id,
    });
    const answer = await createMessage(db, {
      conversationId: conversation.id,
      role: "BOT",
      status: "sent",
      text: "Call our manager on 081 234 5678.",
    });
    const removed: unknown[] = [];
    const elsewhere: unknown[] = [];
    socket.on(WIDGET_SOCKET.events.messageRemoved, (e) => removed.push(e));
    otherSocket.on(WIDGET_SOCKET.events.messageRemoved, (e) => elsewhere.push(e));

    const admin = await signIn(ws.admin.user.email);
    const flag = await post(admin, `/api/v1/messages/${answer.id}/flags`, { type: "pii", reason: "A private number" });
    expect(flag.status).toBe(201);
    const flagId = ((await flag.json()) as { id: string }).id;
    // Escalating leaves it in place; only the removal reaches the widget.
    expect((await post(admin, `/api/v1/moderation/flags/${flagId}/review`, { decision: "escalate" })).status).toBe(200);
    const owner = await signIn(ws.owner.user.email);
    const review = await post(owner, `/api/v1/moderation/flags/${flagId}/review`, { decision: "remove" });
    expect(review.status).toBe(200);
    await vi.waitFor(() => expect(removed).toEqual([{ id: answer.id }]));
    expect(elsewhere).toEqual([]);
  });

  it("swaps to a newer token of the same session, refuses another session's, and says when the token lapses", async () => {
    const { chatbot } = await setup();
    const sessionId = newWidgetSessionId();
    // A token with a second left.
    const ttl = PUBLIC_CHAT_LIMITS.visitorTokenTtlSeconds * 1000;
    const ending = tokenFor(chatbot, sessionId, SHOP, new Date(Date.now() - ttl + 1500));
    const socket = openWidget(ending.token);
    await connected(socket);
    expect(
      await emitWithAck(socket, WIDGET_SOCKET.events.tokenRefresh, { token: tokenFor(chatbot).token }),
    ).toMatchObject({
      ok: false,
      error: { code: "invalid_visitor_token" },
    });
    expect(await emitWithAck(socket, WIDGET_SOCKET.events.tokenRefresh, { token: "garbage" })).toMatchObject({
      ok: false,
    });
    const lapsing = openWidget(ending.token);
    await connected(lapsing);
    const expired = new Promise((resolve) => lapsing.once(WIDGET_SOCKET.events.tokenExpired, resolve));
    const closed = new Promise((resolve) => lapsing.once("disconnect", resolve));

    expect(
      await emitWithAck(socket, WIDGET_SOCKET.events.tokenRefresh, { token: tokenFor(chatbot, sessionId).token }),
    ).toMatchObject({ ok: true });
    await expired;
    await closed;
    // The refreshed socket outlives its first token.
    expect(await emitWithAck(socket, WIDGET_SOCKET.events.page, { url: `${SHOP}/later` })).toEqual({ ok: true });
    expect(socket.connected).toBe(true);
  });

  it("tells the widget whether an agent of the workspace has the dashboard open", async () => {
    const staffed = await setup();
    const empty = await setup();
    await openDashboard(staffed.ws.agent.user.email);
    const agentsOnline = async (chatbotId: string) => {
      const res = await fetch(`${baseUrl}/api/v1/public/chat/${chatbotId}/config`, { headers: { origin: SHOP } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { agentsOnline: boolean }).agentsOnline;
    };
    expect(await agentsOnline(staffed.chatbot.id)).toBe(true);
    expect(await agentsOnline(empty.chatbot.id)).toBe(false);
  });
});
