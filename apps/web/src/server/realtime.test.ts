import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "@tandem/api";
import { rooms, SOCKET_EVENTS } from "@tandem/contracts";
import { parseTrustProxy, type Runtime } from "@tandem/core";
import { createChannel, createContact, createConversation } from "@tandem/db/testing";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../../tests/support/workspace.ts";
import { attachRealtime } from "./realtime.ts";

let runtime: Runtime;
let server: Server;
let baseUrl: string;
let io: Awaited<ReturnType<typeof attachRealtime>>;
const sockets: Socket[] = [];

beforeAll(async () => {
  runtime = await createTestRuntime();
  const listener = getRequestListener(createApp(runtime).fetch);
  server = createServer((req, res) => listener(req, res));
  io = await attachRealtime(server, runtime);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
});

async function sessionCookie(email: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email, password: TEST_PASSWORD }),
  });
  expect(res.status).toBe(200);
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

function open(cookie?: string, headers: Record<string, string> = {}): Socket {
  const socket = connect(baseUrl, {
    path: "/socket.io",
    transports: ["websocket"],
    reconnection: false,
    extraHeaders: { ...(cookie ? { cookie } : {}), ...headers },
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

describe("realtime", () => {
  it("refuses a handshake without a valid session cookie", async () => {
    const anonymous = open();
    await expect(connected(anonymous)).rejects.toThrow("unauthenticated");
    const forged = open("tandem_session=ses_forged");
    await expect(connected(forged)).rejects.toThrow("unauthenticated");
  });

  it("takes the client's address like the HTTP API: X-Forwarded-For only from a trusted proxy", async () => {
    const ws = await createSignInWorkspace(runtime);
    const cookie = await sessionCookie(ws.agent.user.email);
    const addressOf = async (socket: Socket) => {
      await connected(socket);
      const [server] = (await io.fetchSockets()).filter((s) => s.id === socket.id);
      return server?.data.address;
    };
    expect(await addressOf(open(cookie, { "x-forwarded-for": "198.51.100.23" }))).toBe("127.0.0.1");
    runtime.config.trustProxy = parseTrustProxy("loopback");
    try {
      expect(await addressOf(open(cookie, { "x-forwarded-for": "198.51.100.23" }))).toBe("198.51.100.23");
    } finally {
      runtime.config.trustProxy = parseTrustProxy(undefined);
    }
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
  });
});

async function createConversationFor(db: Runtime["database"]["db"], workspaceId: string): Promise<string> {
  const channel = await createChannel(db, { workspaceId, type: "web" });
  const contact = await createContact(db, { workspaceId, channelId: channel.id });
  const conversation = await createConversation(db, { workspaceId, channelId: channel.id, contactId: contact.id });
  return conversation.id;
}
