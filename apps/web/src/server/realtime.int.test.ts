import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "@tandem/api";
import { rooms, SOCKET_EVENTS } from "@tandem/contracts";
import { createRuntime, createWorkerRuntime, generateKey, loadConfig, type Runtime, silentLogger } from "@tandem/core";
import { io as connect } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  type PostgresServer,
  startPostgresServer,
} from "../../../../tests/support/postgres-server.ts";
import { startRedisServer, type TestServer } from "../../../../tests/support/redis-server.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../../tests/support/workspace.ts";
import { attachRealtime } from "./realtime.ts";

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

async function signedInSocket(baseUrl: string, email: string) {
  const res = await fetch(`${baseUrl}/api/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: baseUrl },
    body: JSON.stringify({ email, password: TEST_PASSWORD }),
  });
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  return connect(baseUrl, { transports: ["websocket"], reconnection: false, extraHeaders: { cookie } });
}

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
});
