import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "@tandem/api";
import { rooms, SOCKET_EVENTS, WIDGET_SOCKET } from "@tandem/contracts";
import {
  createRuntime,
  createWorkerRuntime,
  deleteExpiredSessions,
  generateKey,
  issueVisitorToken,
  loadConfig,
  newWidgetSessionId,
  type Runtime,
  silentLogger,
  visitorMetadata,
  widgetContact,
} from "@tandem/core";
import { sessions } from "@tandem/db";
import { createChatbot } from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  type PostgresServer,
  startPostgresServer,
} from "../../../../tests/support/postgres-server.ts";
import { startRedisServer, type TestServer } from "../../../../tests/support/redis-server.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../../tests/support/workspace.ts";
import { attachRealtime, SOCKET_LIMITS } from "./realtime.ts";

/** Scaled realtime: an event a worker process emits reaches a browser connected to a web process. */
let postgres: PostgresServer;
let redis: TestServer;
let web: Runtime;
let server: Server;
let web2: Runtime;
let server2: Server;
let worker: Awaited<ReturnType<typeof createWorkerRuntime>>;

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgresServer(), startRedisServer()]);
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-rt-")),
    APP_URL: "http://127.0.0.1:3000",
    DATABASE_URL: await createTestDatabase(postgres),
    REDIS_URL: redis.url,
    ENCRYPTION_KEY: generateKey(),
    AUTH_SECRET: "realtime-test-secret-realtime-test-secret",
    LOG_LEVEL: "silent",
  });
  web = await createRuntime(config, { log: silentLogger });
  worker = await createWorkerRuntime(config, { log: silentLogger });
  const listener = getRequestListener(createApp(web).fetch);
  server = createServer((req, res) => listener(req, res));
  await attachRealtime(server, web);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  // A second web process on the same database and Redis (the scaled deployment runs several).
  web2 = await createRuntime(config, { log: silentLogger, migrate: false });
  const listener2 = getRequestListener(createApp(web2).fetch);
  server2 = createServer((req, res) => listener2(req, res));
  await attachRealtime(server2, web2);
  server2.listen(0, "127.0.0.1");
  await once(server2, "listening");
});

afterAll(async () => {
  await worker?.stop({ timeoutMs: 1_000 });
  await new Promise((resolve) => server?.close(resolve));
  await new Promise((resolve) => server2?.close(resolve));
  await web?.close();
  await web2?.close();
  await Promise.all([postgres?.stop(), redis?.stop()]);
});

const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

async function signIn(baseUrl: string, email: string) {
  const res = await fetch(`${baseUrl}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email, password: TEST_PASSWORD }),
  });
  return res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
}

const socketWith = (baseUrl: string, cookie: string) =>
  connect(baseUrl, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie } });

async function signedInSocket(baseUrl: string, email: string) {
  return socketWith(baseUrl, await signIn(baseUrl, email));
}

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });

const disconnectedByServer = (socket: Socket) =>
  new Promise<string>((resolve) => socket.once("disconnect", (reason) => resolve(reason)));

describe("realtime across processes", () => {
  it("shows agents connected to different web processes to each other, and who left", async () => {
    const ws = await createSignInWorkspace(web);
    const owner = await signedInSocket(urlOf(server), ws.owner.user.email);
    const seen: string[][] = [];
    owner.on(SOCKET_EVENTS.presenceUpdate, (p: { online: { email: string }[] }) =>
      seen.push(p.online.map((o) => o.email).sort()),
    );
    const until = async (want: string[]) => {
      const deadline = Date.now() + 10_000;
      while (JSON.stringify(seen.at(-1)) !== JSON.stringify([...want].sort())) {
        if (Date.now() > deadline) throw new Error(`presence never became ${want}: ${JSON.stringify(seen)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      await until([ws.owner.user.email]);
      const agent = await signedInSocket(urlOf(server2), ws.agent.user.email);
      const agentSaw = new Promise<string[]>((resolve) =>
        agent.on(SOCKET_EVENTS.presenceUpdate, (p: { online: { email: string }[] }) => {
          if (p.online.length === 2) resolve(p.online.map((o) => o.email).sort());
        }),
      );
      await until([ws.owner.user.email, ws.agent.user.email]);
      expect(await agentSaw).toEqual([ws.owner.user.email, ws.agent.user.email].sort());
      agent.disconnect();
      await until([ws.owner.user.email]);
    } finally {
      owner.disconnect();
    }
  });

  it("delivers a worker's event to the web process's sockets through Redis", async () => {
    const ws = await createSignInWorkspace(web);
    const socket = await signedInSocket(urlOf(server), ws.agent.user.email);
    try {
      await new Promise((resolve) => socket.once("connect", () => resolve(undefined)));
      const received = new Promise((resolve) => socket.once(SOCKET_EVENTS.conversationUpdated, resolve));
      // The adapter subscribes asynchronously: emit until the first event arrives.
      const timer = setInterval(
        () =>
          worker.runtime.realtime.emit(rooms.workspace(ws.workspace.id), SOCKET_EVENTS.conversationUpdated, {
            id: "conv_from_worker",
          }),
        100,
      );
      const payload = await received;
      clearInterval(timer);
      expect(payload).toEqual({ id: "conv_from_worker" });
    } finally {
      socket.disconnect();
    }
  });

  it("disconnects a session's sockets on every process when it signs out on one", async () => {
    const ws = await createSignInWorkspace(web);
    const cookie = await signIn(urlOf(server), ws.agent.user.email);
    const here = socketWith(urlOf(server), cookie);
    const there = socketWith(urlOf(server2), cookie);
    const colleague = await signedInSocket(urlOf(server2), ws.admin.user.email);
    try {
      await Promise.all([connected(here), connected(there), connected(colleague)]);
      const reasons = Promise.all([disconnectedByServer(here), disconnectedByServer(there)]);
      const res = await fetch(`${urlOf(server)}/api/auth/sign-out`, {
        method: "POST",
        headers: { cookie, origin: urlOf(server) },
      });
      expect(res.status).toBe(204);
      expect(await reasons).toEqual(["io server disconnect", "io server disconnect"]);
      // The colleague on the other process still gets the workspace's events; the signed-out sockets do not.
      const leaked: unknown[] = [];
      there.on(SOCKET_EVENTS.conversationUpdated, (p) => leaked.push(p));
      const arrived = new Promise((resolve) => colleague.once(SOCKET_EVENTS.conversationUpdated, resolve));
      web.realtime.emit(rooms.workspace(ws.workspace.id), SOCKET_EVENTS.conversationUpdated, { id: "conv_after" });
      expect(await arrived).toEqual({ id: "conv_after" });
      expect(leaked).toEqual([]);
      expect(colleague.connected).toBe(true);
    } finally {
      for (const s of [here, there, colleague]) s.disconnect();
    }
  });

  it("disconnects, from the worker, the sockets of sessions the housekeeping deletes as expired", async () => {
    const ws = await createSignInWorkspace(web);
    const socket = await signedInSocket(urlOf(server2), ws.agent.user.email);
    try {
      await connected(socket);
      // The session has run out (its sockets stay open until someone ends them).
      await web.database.db
        .update(sessions)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(sessions.userId, ws.agent.user.id));
      const reason = disconnectedByServer(socket);
      const deleted = await deleteExpiredSessions({
        db: worker.runtime.database.db,
        realtime: worker.runtime.realtime,
      });
      expect(deleted).toBeGreaterThanOrEqual(1);
      expect(await reason).toBe("io server disconnect");
    } finally {
      socket.disconnect();
    }
  });

  it("caps one session's sockets across the web processes", async () => {
    const ws = await createSignInWorkspace(web);
    const cookie = await signIn(urlOf(server), ws.agent.user.email);
    const open = Array.from({ length: SOCKET_LIMITS.perSession }, (_, i) =>
      socketWith(urlOf(i % 2 ? server2 : server), cookie),
    );
    try {
      await Promise.all(open.map(connected));
      for (const target of [server, server2]) {
        const extra = socketWith(urlOf(target), cookie);
        open.push(extra);
        await expect(connected(extra)).rejects.toThrow("too_many_connections");
      }
    } finally {
      for (const s of open) s.disconnect();
    }
  });

  it("routes a worker's widget event to the widget namespace, and keeps a visitor online while any process has a tab", async () => {
    const ws = await createSignInWorkspace(web);
    const shop = "https://shop.example.com";
    const chatbot = await createChatbot(web.database.db, {
      workspaceId: ws.workspace.id,
      widgetConfig: { allowedDomains: ["shop.example.com"] },
    });
    const sessionId = newWidgetSessionId();
    const { token } = issueVisitorToken(web.authSecret, { chatbotId: chatbot.id, sessionId, origin: shop });
    const tab = (target: Server) =>
      connect(`${urlOf(target)}${WIDGET_SOCKET.namespace}`, {
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
        auth: { token },
        extraHeaders: { origin: shop },
      });
    const here = tab(server);
    const there = tab(server2);
    const online = async () => visitorMetadata(await widgetContact(web.database.db, chatbot, sessionId)).online;
    const until = async (want: boolean) => {
      const deadline = Date.now() + 10_000;
      while ((await online()) !== want) {
        if (Date.now() > deadline) throw new Error(`the visitor never became ${want ? "online" : "offline"}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      await Promise.all([connected(here), connected(there)]);
      const received = new Promise((resolve) => there.once(WIDGET_SOCKET.events.message, resolve));
      const timer = setInterval(
        () =>
          worker.runtime.realtime.emit(rooms.widgetSession(chatbot.id, sessionId), WIDGET_SOCKET.events.message, {
            id: "msg_from_worker",
          }),
        100,
      );
      expect(await received).toEqual({ id: "msg_from_worker" });
      clearInterval(timer);

      expect(await here.timeout(5000).emitWithAck(WIDGET_SOCKET.events.page, { url: `${shop}/` })).toEqual({
        ok: true,
      });
      await until(true);
      here.disconnect();
      // The tab on the other process keeps the visitor online.
      expect(await there.timeout(5000).emitWithAck(WIDGET_SOCKET.events.page, { url: `${shop}/b` })).toEqual({
        ok: true,
      });
      expect(await online()).toBe(true);
      there.disconnect();
      await until(false);
    } finally {
      here.disconnect();
      there.disconnect();
    }
  });
});
