import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "@tandem/api";
import { rooms, SOCKET_EVENTS } from "@tandem/contracts";
import { parseTrustProxy, type Runtime } from "@tandem/core";
import { members as membersTable, sessions as sessionsTable } from "@tandem/db";
import { createChannel, createContact, createConversation, createMember } from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import type { Server as IoServer } from "socket.io";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../../tests/support/workspace.ts";
import { attachRealtime, SOCKET_LIMITS } from "./realtime.ts";

let runtime: Runtime;
let server: Server;
let baseUrl: string;
let ioServer: IoServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  runtime = await createTestRuntime();
  const listener = getRequestListener(createApp(runtime).fetch);
  server = createServer((req, res) => listener(req, res));
  ioServer = await attachRealtime(server, runtime);
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

interface Browser {
  cookie: string;
  csrfToken: string;
}

async function signIn(email: string, url = baseUrl): Promise<Browser> {
  const res = await fetch(`${url}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email, password: TEST_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return { cookie, csrfToken: ((await res.json()) as { csrfToken: string }).csrfToken };
}

const sessionCookie = async (email: string) => (await signIn(email)).cookie;

/** A call of the API as the signed-in browser (cookie, CSRF header, own Origin). */
function call(browser: Browser, method: string, path: string, body?: unknown, url = baseUrl) {
  return fetch(`${url}${path}`, {
    method,
    headers: {
      cookie: browser.cookie,
      origin: url,
      "x-csrf-token": browser.csrfToken,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

function open(cookie?: string, options: { url?: string; origin?: string } = {}): Socket {
  const headers: Record<string, string> = {};
  if (cookie) headers.cookie = cookie;
  if (options.origin) headers.origin = options.origin;
  const socket = connect(options.url ?? baseUrl, {
    path: "/socket.io",
    transports: ["websocket"],
    reconnection: false,
    extraHeaders: headers,
  });
  sockets.push(socket);
  return socket;
}

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });

/** The handshake's refusal: `connect_error` with the code as message and the details as `data`. */
const refused = (socket: Socket) =>
  new Promise<{ message: string; data?: { code: string; message: string; scope?: string } }>((resolve, reject) => {
    socket.once("connect", () => reject(new Error("the socket was accepted")));
    socket.once("connect_error", (err) => resolve(err as never));
  });

/** Resolves with the reason once the server disconnects the socket. */
const disconnectedByServer = (socket: Socket) =>
  new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));

/**
 * Emits a workspace event and waits until `witness` (a socket that stays connected) received it, so
 * that whatever `others` were going to receive has arrived too. Returns what each of `others` got.
 */
async function broadcastTo(workspaceId: string, witness: Socket, others: Socket[]): Promise<unknown[][]> {
  const id = `conv_${Math.random().toString(36).slice(2)}`;
  const got = others.map((socket) => {
    const events: unknown[] = [];
    socket.on(SOCKET_EVENTS.conversationUpdated, (p) => events.push(p));
    return events;
  });
  const seen = new Promise((resolve) =>
    witness.on(SOCKET_EVENTS.conversationUpdated, (p: { id: string }) => p.id === id && resolve(p)),
  );
  runtime.realtime.emit(rooms.workspace(workspaceId), SOCKET_EVENTS.conversationUpdated, { id });
  await seen;
  return got.map((events) => events.filter((p) => (p as { id: string }).id === id));
}

describe("realtime", () => {
  it("refuses a handshake without a valid session cookie", async () => {
    const anonymous = open();
    await expect(connected(anonymous)).rejects.toThrow("unauthenticated");
    const forged = open("tandem_session=ses_forged");
    await expect(connected(forged)).rejects.toThrow("unauthenticated");
  });

  it("joins the workspace room and receives its events", async () => {
    const ws = await createSignInWorkspace(runtime);
    const other = await createSignInWorkspace(runtime);
    const socket = open(await sessionCookie(ws.agent.user.email));
    const outsider = open(await sessionCookie(other.agent.user.email));
    await Promise.all([connected(socket), connected(outsider)]);

    const received: unknown[] = [];
    const leaked: unknown[] = [];
    outsider.on(SOCKET_EVENTS.conversationUpdated, (p) => leaked.push(p));
    const got = new Promise((resolve) => socket.once(SOCKET_EVENTS.conversationUpdated, resolve));
    runtime.realtime.emit(rooms.workspace(ws.workspace.id), SOCKET_EVENTS.conversationUpdated, { id: "conv_x" });
    received.push(await got);
    expect(received).toEqual([{ id: "conv_x" }]);
    expect(leaked).toEqual([]);
  });

  it("joins a conversation room only after the workspace check", async () => {
    const ws = await createSignInWorkspace(runtime);
    const other = await createSignInWorkspace(runtime);
    const db = runtime.database.db;
    const mine = await createConversationFor(db, ws.workspace.id);
    const theirs = await createConversationFor(db, other.workspace.id);

    const socket = open(await sessionCookie(ws.admin.user.email));
    await connected(socket);
    const join = (id: string) => socket.emitWithAck(SOCKET_EVENTS.conversationJoin, id);
    expect(await join(mine)).toEqual({ ok: true });
    expect(await join(theirs)).toMatchObject({ ok: false, error: { code: "conversation_not_found" } });

    const events: string[] = [];
    socket.on(SOCKET_EVENTS.messageNew, (p: { conversationId: string }) => events.push(p.conversationId));
    runtime.realtime.emit(rooms.conversation(theirs), SOCKET_EVENTS.messageNew, { conversationId: theirs });
    const arrived = new Promise((resolve) => socket.once(SOCKET_EVENTS.messageNew, resolve));
    runtime.realtime.emit(rooms.conversation(mine), SOCKET_EVENTS.messageNew, { conversationId: mine });
    await arrived;
    expect(events).toEqual([mine]);
  });

  it("answers joins sent without an acknowledgement, or with data in its place, without an unhandled rejection", async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on("unhandledRejection", onRejection);
    try {
      const ws = await createSignInWorkspace(runtime);
      const mine = await createConversationFor(runtime.database.db, ws.workspace.id);
      const socket = open(await sessionCookie(ws.agent.user.email));
      await connected(socket);
      socket.emit(SOCKET_EVENTS.conversationJoin, "conv_missing");
      socket.emit(SOCKET_EVENTS.conversationJoin, "conv_missing", 42);
      socket.emit(SOCKET_EVENTS.conversationJoin, { not: "an id" }, "not a callback");
      socket.emit(SOCKET_EVENTS.conversationLeave);
      // The socket still works, and what came before it has been handled.
      expect(await socket.emitWithAck(SOCKET_EVENTS.conversationJoin, mine)).toEqual({ ok: true });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rejections).toEqual([]);
      expect(socket.connected).toBe(true);
    } finally {
      process.off("unhandledRejection", onRejection);
    }
  });

  it("takes the client's address like the HTTP API: X-Forwarded-For only from a trusted proxy", async () => {
    const ws = await createSignInWorkspace(runtime);
    const cookie = await sessionCookie(ws.agent.user.email);
    const addressOf = async (socket: Socket) => {
      await connected(socket);
      const [server] = (await ioServer.fetchSockets()).filter((s) => s.id === socket.id);
      return server?.data.address;
    };
    const forwarded = (cookie: string) => {
      const socket = connect(baseUrl, {
        path: "/socket.io",
        transports: ["websocket"],
        reconnection: false,
        extraHeaders: { cookie, "x-forwarded-for": "198.51.100.23" },
      });
      sockets.push(socket);
      return socket;
    };
    expect(await addressOf(forwarded(cookie))).toBe("127.0.0.1");
    runtime.config.trustProxy = parseTrustProxy("loopback");
    try {
      expect(await addressOf(forwarded(cookie))).toBe("198.51.100.23");
    } finally {
      runtime.config.trustProxy = parseTrustProxy(undefined);
    }
  });

  it("tells a conversation's viewers who else has it open and who is typing there", async () => {
    const ws = await createSignInWorkspace(runtime);
    const conversationId = await createConversationFor(runtime.database.db, ws.workspace.id);
    const other = await createConversationFor(runtime.database.db, ws.workspace.id);
    const owner = open(await sessionCookie(ws.owner.user.email));
    const agent = open(await sessionCookie(ws.agent.user.email));
    await Promise.all([connected(owner), connected(agent)]);
    type Viewers = { conversationId: string; viewers: { email: string; typing: boolean }[] };
    /** The next viewers event on `socket` for which `test` holds. */
    const next = (socket: Socket, test: (e: Viewers) => boolean) =>
      new Promise<Viewers>((resolve) => {
        const listener = (e: Viewers) => {
          if (e.conversationId !== conversationId || !test(e)) return;
          socket.off(SOCKET_EVENTS.conversationViewers, listener);
          resolve(e);
        };
        socket.on(SOCKET_EVENTS.conversationViewers, listener);
      });
    const summary = (e: Viewers) => e.viewers.map((v) => `${v.email}${v.typing ? " (typing)" : ""}`).sort();

    const bothThere = next(owner, (e) => e.viewers.length === 2);
    expect(await owner.emitWithAck(SOCKET_EVENTS.conversationJoin, conversationId)).toEqual({ ok: true });
    expect(await agent.emitWithAck(SOCKET_EVENTS.conversationJoin, conversationId)).toEqual({ ok: true });
    expect(summary(await bothThere)).toEqual([ws.agent.user.email, ws.owner.user.email].sort());

    const typing = next(owner, (e) => e.viewers.some((v) => v.typing));
    agent.emit(SOCKET_EVENTS.conversationTyping, { conversationId, typing: true });
    expect(summary(await typing)).toEqual([`${ws.agent.user.email} (typing)`, ws.owner.user.email].sort());
    const stopped = next(owner, (e) => e.viewers.length === 2 && !e.viewers.some((v) => v.typing));
    agent.emit(SOCKET_EVENTS.conversationTyping, { conversationId, typing: false });
    await stopped;

    // Typing counts only where the socket joined: nothing is published for another conversation.
    const elsewhere: Viewers[] = [];
    owner.on(SOCKET_EVENTS.conversationViewers, (e: Viewers) => e.conversationId === other && elsewhere.push(e));
    agent.emit(SOCKET_EVENTS.conversationTyping, { conversationId: other, typing: true });

    const left = next(owner, (e) => e.viewers.length === 1);
    agent.emit(SOCKET_EVENTS.conversationLeave, conversationId);
    expect(summary(await left)).toEqual([ws.owner.user.email]);
    // A viewer who goes away without leaving (a closed tab) is dropped too.
    const third = open(await sessionCookie(ws.admin.user.email));
    await connected(third);
    const adminThere = next(owner, (e) => e.viewers.length === 2);
    await third.emitWithAck(SOCKET_EVENTS.conversationJoin, conversationId);
    await adminThere;
    const gone = next(owner, (e) => e.viewers.length === 1);
    third.disconnect();
    expect(summary(await gone)).toEqual([ws.owner.user.email]);
    expect(elsewhere).toEqual([]);
  });

  it("publishes who is online in the workspace", async () => {
    const ws = await createSignInWorkspace(runtime);
    const first = open(await sessionCookie(ws.owner.user.email));
    await connected(first);
    const update = new Promise<{ online: { email: string }[] }>((resolve) =>
      first.on(SOCKET_EVENTS.presenceUpdate, (p) => {
        if (p.online.length === 2) resolve(p);
      }),
    );
    const second = open(await sessionCookie(ws.agent.user.email));
    await connected(second);
    const { online } = await update;
    expect(online.map((o) => o.email).sort()).toEqual([ws.agent.user.email, ws.owner.user.email].sort());

    // Kept in the database for round-robin assignment: online until a little later, cleared on leaving.
    const onlineUntil = async () => {
      const rows = await runtime.database.db
        .select()
        .from(membersTable)
        .where(eq(membersTable.workspaceId, ws.workspace.id));
      return Object.fromEntries(rows.map((m) => [m.userId, m.onlineUntil]));
    };
    await expect.poll(async () => (await onlineUntil())[ws.agent.user.id]).toBeInstanceOf(Date);
    const now = await onlineUntil();
    expect(now[ws.owner.user.id]!.getTime()).toBeGreaterThan(Date.now());
    expect(now[ws.admin.user.id]).toBeNull();
    second.disconnect();
    await expect.poll(async () => (await onlineUntil())[ws.agent.user.id]).toBeNull();
    expect((await onlineUntil())[ws.owner.user.id]).toBeInstanceOf(Date);
  });
});

describe("sockets lose access with their session or membership", () => {
  it("disconnects the session's sockets on sign-out, and only them", async () => {
    const ws = await createSignInWorkspace(runtime);
    const leaving = await signIn(ws.agent.user.email);
    const otherTab = open(leaving.cookie);
    const tab = open(leaving.cookie);
    const colleague = open(await sessionCookie(ws.admin.user.email));
    await Promise.all([connected(tab), connected(otherTab), connected(colleague)]);

    const reasons = Promise.all([disconnectedByServer(tab), disconnectedByServer(otherTab)]);
    expect((await call(leaving, "POST", "/api/auth/sign-out")).status).toBe(204);
    expect(await reasons).toEqual(["io server disconnect", "io server disconnect"]);
    const [gotTab, gotOtherTab] = await broadcastTo(ws.workspace.id, colleague, [tab, otherTab]);
    expect(gotTab).toEqual([]);
    expect(gotOtherTab).toEqual([]);
    expect(colleague.connected).toBe(true);
  });

  it("disconnects the sockets of a session revoked from another one (Account → Sessions)", async () => {
    const ws = await createSignInWorkspace(runtime);
    const laptop = await signIn(ws.agent.user.email);
    const phone = await signIn(ws.agent.user.email);
    const laptopSocket = open(laptop.cookie);
    const phoneSocket = open(phone.cookie);
    await Promise.all([connected(laptopSocket), connected(phoneSocket)]);

    const reason = disconnectedByServer(phoneSocket);
    const res = await call(laptop, "POST", "/api/v1/me/sessions/revoke-others");
    expect(await res.json()).toEqual({ revoked: 1 });
    expect(await reason).toBe("io server disconnect");
    const [got] = await broadcastTo(ws.workspace.id, laptopSocket, [phoneSocket]);
    expect(got).toEqual([]);
    expect(laptopSocket.connected).toBe(true);
  });

  it("disconnects the old workspace's sockets when the session switches workspace", async () => {
    const ws = await createSignInWorkspace(runtime);
    const second = await createSignInWorkspace(runtime);
    await createMember(runtime.database.db, { workspaceId: second.workspace.id, userId: ws.agent.user.id });
    const agent = await signIn(ws.agent.user.email);
    const socket = open(agent.cookie);
    await connected(socket);

    const reason = disconnectedByServer(socket);
    const res = await call(agent, "POST", "/api/auth/switch-workspace", { workspaceId: second.workspace.id });
    expect(res.status).toBe(200);
    expect(await reason).toBe("io server disconnect");
    // Reconnecting with the new cookie lands in the new workspace's room only.
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const again = open(cookie);
    await connected(again);
    const here = await ioServer.in(rooms.workspace(second.workspace.id)).fetchSockets();
    const there = await ioServer.in(rooms.workspace(ws.workspace.id)).fetchSockets();
    expect(here.map((s) => s.id)).toContain(again.id);
    expect(there.map((s) => s.id)).not.toContain(again.id);
  });

  it("disconnects a removed member's sockets", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signIn(ws.owner.user.email);
    const removedCookie = await sessionCookie(ws.agent.user.email);
    const removed = open(removedCookie);
    const ownerSocket = open(owner.cookie);
    await Promise.all([connected(removed), connected(ownerSocket)]);

    const reason = disconnectedByServer(removed);
    expect((await call(owner, "DELETE", `/api/v1/members/${ws.agent.member.id}`)).status).toBe(204);
    expect(await reason).toBe("io server disconnect");
    const [got] = await broadcastTo(ws.workspace.id, ownerSocket, [removed]);
    expect(got).toEqual([]);
    // The session is gone too: reconnecting is refused.
    await expect(connected(open(removedCookie))).rejects.toThrow("unauthenticated");
  });

  it("disconnects a member whose role changed; they reconnect with the new role", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signIn(ws.owner.user.email);
    const agentCookie = await sessionCookie(ws.agent.user.email);
    const agent = open(agentCookie);
    await connected(agent);

    const reason = disconnectedByServer(agent);
    const res = await call(owner, "PATCH", `/api/v1/members/${ws.agent.member.id}`, { role: "ADMIN" });
    expect(res.status).toBe(200);
    expect(await reason).toBe("io server disconnect");
    const again = open(agentCookie);
    await connected(again);
    const sockets = await ioServer.in(rooms.member(ws.agent.member.id)).fetchSockets();
    expect(sockets.map((s) => (s.data.session as { role: string }).role)).toEqual(["ADMIN"]);
  });

  it("refuses a conversation join once the session is gone, even if the disconnect was missed", async () => {
    const ws = await createSignInWorkspace(runtime);
    const conversationId = await createConversationFor(runtime.database.db, ws.workspace.id);
    const socket = open(await sessionCookie(ws.agent.user.email));
    await connected(socket);
    expect(await socket.emitWithAck(SOCKET_EVENTS.conversationJoin, conversationId)).toEqual({ ok: true });

    // The row goes without the realtime port hearing of it (as when another process's disconnect is lost).
    await runtime.database.db.delete(sessionsTable).where(eq(sessionsTable.userId, ws.agent.user.id));
    const reason = disconnectedByServer(socket);
    expect(await socket.emitWithAck(SOCKET_EVENTS.conversationJoin, conversationId)).toMatchObject({
      ok: false,
      error: { code: "unauthenticated" },
    });
    expect(await reason).toBe("io server disconnect");
  });
});

describe("handshake limits", () => {
  it("caps the sockets of one session; the first ones keep working; the cap is checked before the lookup", async () => {
    const ws = await createSignInWorkspace(runtime);
    const cookie = await sessionCookie(ws.agent.user.email);
    const first = Array.from({ length: SOCKET_LIMITS.perSession }, () => open(cookie));
    await Promise.all(first.map(connected));
    const extra = await refused(open(cookie));
    expect(extra.message).toBe("too_many_connections");
    expect(extra.data).toMatchObject({ code: "too_many_connections", scope: "session" });
    expect(extra.data?.message).toMatch(/already has 10 live connections/);

    // Another session of the same user is not affected, and the first ten still get events.
    await connected(open(await sessionCookie(ws.agent.user.email)));
    const arrivals = first.map((s) => new Promise((resolve) => s.once(SOCKET_EVENTS.conversationUpdated, resolve)));
    runtime.realtime.emit(rooms.workspace(ws.workspace.id), SOCKET_EVENTS.conversationUpdated, { id: "conv_c" });
    expect(await Promise.all(arrivals)).toEqual(first.map(() => ({ id: "conv_c" })));

    // One closes: its slot is free again.
    const closing = first.pop()!;
    closing.disconnect();
    await until(async () => (await ioServer.in(rooms.workspace(ws.workspace.id)).fetchSockets()).length === 11);
    const replacement = open(cookie);
    await connected(replacement);

    // With the session full, a handshake is refused without looking the session up: the row is gone,
    // yet the answer is still "too many", not "unauthenticated".
    await runtime.database.db.delete(sessionsTable).where(eq(sessionsTable.userId, ws.agent.user.id));
    expect((await refused(open(cookie))).message).toBe("too_many_connections");
  });

  it("refuses a browser handshake from another origin", async () => {
    const ws = await createSignInWorkspace(runtime);
    const cookie = await sessionCookie(ws.agent.user.email);
    const foreign = await refused(open(cookie, { origin: "https://evil.example" }));
    expect(foreign.message).toBe("origin_not_allowed");
    expect(foreign.data?.message).toMatch(/own pages/);
    // The app's own origin (APP_URL) and the origin the request was addressed to are accepted.
    await connected(open(cookie, { origin: "http://localhost:3000" }));
    await connected(open(cookie, { origin: baseUrl }));
  });

  it("caps the sockets of one address across sessions (REALTIME_MAX_SOCKETS_PER_IP)", async () => {
    const small = await createTestRuntime({ REALTIME_MAX_SOCKETS_PER_IP: "3" });
    const listener = getRequestListener(createApp(small).fetch);
    const smallServer = createServer((req, res) => listener(req, res));
    const smallIo = await attachRealtime(smallServer, small);
    smallServer.listen(0, "127.0.0.1");
    await once(smallServer, "listening");
    const url = `http://127.0.0.1:${(smallServer.address() as AddressInfo).port}`;
    try {
      const ws = await createSignInWorkspace(small);
      const [a, b] = [await signIn(ws.agent.user.email, url), await signIn(ws.admin.user.email, url)];
      const held = [open(a.cookie, { url }), open(a.cookie, { url }), open(b.cookie, { url })];
      await Promise.all(held.map(connected));
      const extra = await refused(open(b.cookie, { url }));
      expect(extra.message).toBe("too_many_connections");
      expect(extra.data).toMatchObject({ scope: "address" });
      held[0]!.disconnect();
      await until(async () => (await smallIo.in(rooms.workspace(ws.workspace.id)).fetchSockets()).length === 2);
      await connected(open(b.cookie, { url }));
    } finally {
      for (const s of sockets.splice(0)) s.disconnect();
      await new Promise((resolve) => smallServer.close(resolve));
      await small.close();
    }
  });
});

async function until(check: () => Promise<boolean>) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition never held");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function createConversationFor(db: Runtime["database"]["db"], workspaceId: string): Promise<string> {
  const channel = await createChannel(db, { workspaceId, type: "web" });
  const contact = await createContact(db, { workspaceId, channelId: channel.id });
  const conversation = await createConversation(db, { workspaceId, channelId: channel.id, contactId: contact.id });
  return conversation.id;
}
