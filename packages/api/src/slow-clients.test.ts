import { once } from "node:events";
import type { Server } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";
import type { Runtime } from "@tandem/core";
import { inboundEvents } from "@tandem/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { capturingLogger, type LogLine } from "../../../tests/support/logs.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createApp } from "./app.ts";
import { createHttpServer } from "./http-server.ts";
import { createApiListener } from "./webhook-fast-path.ts";

/**
 * Slow and vanishing clients over real sockets, against the server `npm start` listens with, with
 * short deadlines: 1 s for the headers, 2 s for the whole request.
 */
let runtime: Runtime;
let server: Server;
let port: number;
let logs: ReturnType<typeof capturingLogger>;

beforeAll(async () => {
  runtime = await createTestRuntime({
    FB_APP_SECRET: "slow-client-secret",
    HTTP_HEADERS_TIMEOUT_MS: "1000",
    HTTP_REQUEST_TIMEOUT_MS: "2000",
  });
  server = createHttpServer(runtime, createApiListener(runtime, createApp(runtime).fetch));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  port = (server.address() as AddressInfo).port;
});
beforeEach(() => {
  logs = capturingLogger();
  runtime.log = logs.log;
});
afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await runtime.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw connection: what the server sent back, and whether it has closed. */
async function rawConnection() {
  const socket = connect(port, "127.0.0.1");
  await once(socket, "connect");
  const state = { received: "", closed: false, socket };
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    state.received += chunk;
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    state.closed = true;
  });
  return state;
}

/**
 * Writes `chunks` one every `everyMs` until the server closes the connection; returns how many it
 * wrote by then. Never all of them if the server enforces its deadline: they would take 30 s.
 */
async function dribble(connection: { socket: Socket; closed: boolean }, chunks: string[], everyMs = 100) {
  let sent = 0;
  for (const chunk of chunks) {
    if (connection.closed) break;
    connection.socket.write(chunk);
    sent++;
    await sleep(everyMs);
  }
  return sent;
}

const requestHead = (path: string, contentLength: number, extra = "") =>
  `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n${extra}\r\n`;

async function waitForLog(find: (line: LogLine) => boolean, what: string): Promise<LogLine> {
  for (let i = 0; i < 200; i++) {
    const line = logs.lines.find(find);
    if (line) return line;
    await sleep(25);
  }
  throw new Error(`no log line: ${what}`);
}

const errorsLogged = () => logs.at("error").map((l) => l.msg);

describe("slow clients", () => {
  it("cuts off a webhook whose body dribbles in, with 408 in the error shape, logged as a warning", async () => {
    const connection = await rawConnection();
    connection.socket.write(requestHead("/api/webhooks/messenger", 300, "X-Hub-Signature-256: sha256=00\r\n"));
    const sent = await dribble(
      connection,
      Array.from({ length: 300 }, () => " "),
    );
    expect(connection.closed).toBe(true);
    expect(sent).toBeLessThan(300);
    const [head, body] = connection.received.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(body!).error).toMatchObject({ code: "request_timeout", requestId: expect.any(String) });
    const timeout = await waitForLog((l) => l.msg === "request timed out: client too slow", "the timeout");
    expect(timeout).toMatchObject({ level: 40, phase: "body", deadlineMs: 2000 });
    // The handler reading the body sees the connection go: a warning too, and no error anywhere.
    await waitForLog((l) => l.msg === "request aborted before its body was complete" && l.level === 40, "the abort");
    expect(errorsLogged()).toEqual([]);
    expect(await runtime.database.db.select().from(inboundEvents).where(eq(inboundEvents.source, "messenger"))).toEqual(
      [],
    );
  });

  it("cuts off an API request whose body dribbles in (Hono), warning, never an error", async () => {
    const connection = await rawConnection();
    connection.socket.write(requestHead("/api/auth/sign-in", 300, "Origin: http://localhost:3000\r\n"));
    const sent = await dribble(connection, [
      '{"email":"a@b.c","password":"',
      ...Array.from({ length: 299 }, () => "x"),
    ]);
    expect(connection.closed).toBe(true);
    expect(sent).toBeLessThan(300);
    expect(connection.received).toMatch(/^HTTP\/1\.1 408 /);
    await waitForLog((l) => l.msg === "request aborted before its body was complete" && l.level === 40, "the abort");
    expect(errorsLogged()).toEqual([]);
  });

  it("cuts off a client whose headers dribble in", async () => {
    const connection = await rawConnection();
    const headerLines = [
      "POST /api/auth/sign-in HTTP/1.1\r\n",
      ...Array.from({ length: 300 }, (_, i) => `X-Slow-${i}: 1\r\n`),
    ];
    const sent = await dribble(connection, headerLines);
    expect(connection.closed).toBe(true);
    expect(sent).toBeLessThan(headerLines.length);
    expect(connection.received).toMatch(/^HTTP\/1\.1 408 /);
    const timeout = await waitForLog((l) => l.msg === "request timed out: client too slow", "the timeout");
    expect(timeout).toMatchObject({ level: 40, phase: "headers", deadlineMs: 1000 });
    expect(errorsLogged()).toEqual([]);
  });

  it("closes a connection that never sends anything without answering or warning", async () => {
    const connection = await rawConnection();
    for (let i = 0; i < 300 && !connection.closed; i++) await sleep(100);
    expect(connection.closed).toBe(true);
    expect(connection.received).toBe("");
    expect(logs.at("warn")).toEqual([]);
  });
});

describe("clients that hang up mid-body", () => {
  for (const [route, path, head] of [
    ["the webhook fast path", "/api/webhooks/messenger", "X-Hub-Signature-256: sha256=00\r\n"],
    ["a Hono route reading raw text", "/api/webhooks/messenger/data-deletion", ""],
    ["a Hono route reading JSON", "/api/auth/sign-in", "Origin: http://localhost:3000\r\n"],
  ] as const) {
    it(`logs ${route} as a warning, not an error`, async () => {
      const connection = await rawConnection();
      connection.socket.write(requestHead(path, 500, head));
      connection.socket.write('{"object":"page","entry":[');
      await sleep(100);
      connection.socket.destroy();
      const line = await waitForLog((l) => l.msg === "request aborted before its body was complete", "the abort");
      expect(line).toMatchObject({ level: 40, path, method: "POST", requestId: expect.any(String) });
      await sleep(100);
      expect(errorsLogged()).toEqual([]);
    });
  }
});
