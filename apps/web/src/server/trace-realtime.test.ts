/**
 * Spans of what the web process serves beside the API (docs/observability.md), exported by the official
 * SDK to a local OTLP/HTTP receiver: Socket.IO handshakes (accepted and refused) and events on both
 * namespaces, with the event's database queries as children, and a dashboard page request named by
 * the first segment of its path — with no cookie, token, id or query string in any span.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "@tandem/api";
import { SOCKET_EVENTS, WIDGET_SOCKET } from "@tandem/contracts";
import { type Observability, type Runtime, silentLogger, startObservability, VERSION } from "@tandem/core";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../../tests/support/workspace.ts";
import { attachRealtime } from "./realtime.ts";
import { dashboardRoute, traceDashboardRequest } from "./trace-realtime.ts";

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  events?: { attributes?: { key: string; value: Record<string, unknown> }[] }[];
}

const bodies: string[] = [];
let otlp: Server;
let observability: Observability;
let runtime: Runtime;
let server: Server;
let baseUrl: string;
const sockets: Socket[] = [];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
}

beforeAll(async () => {
  otlp = createServer(async (req, res) => {
    bodies.push(await readBody(req));
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  otlp.listen(0, "127.0.0.1");
  await once(otlp, "listening");
  observability = await startObservability(
    { env: "test", otelEndpoint: `http://127.0.0.1:${(otlp.address() as AddressInfo).port}`, sentryDsn: undefined },
    { serviceName: "tandem-web", version: VERSION, log: silentLogger },
  );
  runtime = await createTestRuntime();
  const api = getRequestListener(createApp(runtime).fetch);
  // As apps/web/server.ts routes: the API to Hono, the rest to the dashboard (a stand-in for Next.js).
  server = createServer((req, res) => {
    if (req.url?.startsWith("/api/")) return api(req, res);
    void traceDashboardRequest(req, res, async () => {
      res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Tandem</title>");
    });
  });
  await attachRealtime(server, runtime);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
  await observability.shutdown();
  otlp.close();
});

function spans(): ExportedSpan[] {
  return bodies.flatMap((body) =>
    (JSON.parse(body).resourceSpans ?? []).flatMap((rs: { scopeSpans: { spans: ExportedSpan[] }[] }) =>
      rs.scopeSpans.flatMap((ss) => ss.spans),
    ),
  );
}
const attr = (span: ExportedSpan, key: string) => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

const connected = (socket: Socket) =>
  new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", reject);
  });

describe("dashboardRoute", () => {
  it("keeps the first plain segment only", () => {
    expect(dashboardRoute("/")).toBe("/");
    expect(dashboardRoute("/chatbots/bot_01JD8X?tab=health")).toBe("/chatbots/*");
    expect(dashboardRoute("/invite/9f8e7d6c5b4a")).toBe("/invite/*");
    expect(dashboardRoute("/_next/static/chunks/app.js")).toBe("/_next/*");
    expect(dashboardRoute("/conv_01JD8X")).toBe("/*");
  });
});

describe("traces beside the API", () => {
  it("Socket.IO handshakes and events and a dashboard page are spans; nothing secret is in them", async () => {
    const ws = await createSignInWorkspace(runtime);
    const signIn = await fetch(`${baseUrl}/api/auth/sign-in`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: baseUrl },
      body: JSON.stringify({ email: ws.agent.user.email, password: TEST_PASSWORD }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const sessionToken = cookie.split("=")[1]!;

    const dashboard = connect(baseUrl, {
      path: "/socket.io",
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      extraHeaders: { cookie },
    });
    sockets.push(dashboard);
    await connected(dashboard);
    const ack = await dashboard.timeout(5000).emitWithAck(SOCKET_EVENTS.conversationJoin, "conv_unknown0000");
    expect(ack).toMatchObject({ ok: false });

    const forged = "v1.eyJmb3JnZWQiOnRydWV9.c2lnbmF0dXJl";
    const widget = connect(`${baseUrl}${WIDGET_SOCKET.namespace}`, {
      path: WIDGET_SOCKET.path,
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      auth: { token: forged },
      extraHeaders: { origin: "https://shop.example.com" },
    });
    sockets.push(widget);
    await expect(connected(widget)).rejects.toThrow();

    const page = await fetch(`${baseUrl}/chatbots/bot_01SECRETID?tab=health`);
    expect(page.status).toBe(200);

    await vi.waitFor(
      async () => {
        await observability.flush();
        const names = spans().map((s) => s.name);
        expect(names).toEqual(
          expect.arrayContaining([
            "socket.io connect /",
            "socket.io connect /widget",
            `socket.io ${SOCKET_EVENTS.conversationJoin}`,
            "GET /chatbots/*",
          ]),
        );
      },
      { timeout: 10_000, interval: 200 },
    );
    const all = spans();
    const named = (name: string) => all.filter((s) => s.name === name);

    const accepted = named("socket.io connect /")[0]!;
    expect(accepted.kind).toBe(2); // SERVER
    expect(attr(accepted, "socket.io.outcome")).toBe("accepted");
    // The session lookup is a child of the handshake.
    expect(all.some((s) => s.parentSpanId === accepted.spanId && s.name.startsWith("SELECT"))).toBe(true);

    const refused = named("socket.io connect /widget")[0]!;
    expect(attr(refused, "socket.io.outcome")).toBe("refused");
    expect(attr(refused, "socket.io.refusal")).toEqual(expect.any(String));

    const join = named(`socket.io ${SOCKET_EVENTS.conversationJoin}`)[0]!;
    expect(attr(join, "socket.io.namespace")).toBe("/");
    expect(all.some((s) => s.parentSpanId === join.spanId && s.name.startsWith("SELECT"))).toBe(true);

    const pageSpan = named("GET /chatbots/*")[0]!;
    expect(attr(pageSpan, "http.route")).toBe("/chatbots/*");
    expect(String(attr(pageSpan, "http.response.status_code"))).toBe("200");

    const text = JSON.stringify(all.map((s) => [s.name, s.attributes, s.events?.map((e) => e.attributes)]));
    for (const secret of [sessionToken, forged, "bot_01SECRETID", "tab=health", "conv_unknown0000"]) {
      expect(text).not.toContain(secret);
    }
  });
});
