import { createRoute, z } from "@hono/zod-openapi";
import { DomainError, type Runtime } from "@tandem/core";
import { messengerWebhook, serializeLikeMeta, signMessengerBody, textEvent } from "@tandem/simulator";
import { createMiddleware } from "hono/factory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";
import { PUBLIC_MAX_BODY_BYTES, WEBHOOK_MAX_BODY_BYTES } from "./constants.ts";
import { json } from "./openapi.ts";
import { audienceOf } from "./stacks/audience.ts";
import { publicCredential } from "./stacks/public.ts";
import { rawBody } from "./stacks/webhooks.ts";
import type { AppEnv } from "./types.ts";

/**
 * The three middleware stacks (stacks/), through the real `createApp`: each test registers its own
 * routes on the app — a webhook, its admin sibling, public routes — so the stacks are proven before
 * the LINE and widget routes exist.
 */
const APP_ORIGIN = "http://localhost:3000";
const OTHER_SITE = "https://shop.example";
const PUBLIC_LIMIT = 5;
const APP_SECRET = "stacks-test-app-secret";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let cookieClient: TestClient;

beforeAll(async () => {
  runtime = await createTestRuntime({ FB_APP_SECRET: APP_SECRET });
  app = createApp(runtime, { public: { rateLimit: { limit: PUBLIC_LIMIT, windowMs: 60_000 } } });

  // A webhook as LINE's will be, and its admin sibling under the same prefix.
  app.post("/api/v1/integrations/test/:id/webhook", async (c) =>
    c.json({
      bytes: Buffer.from(rawBody(c)).toString("base64"),
      // The route's own reader sees the same bytes.
      text: await c.req.text(),
      cookie: c.req.header("cookie") ?? null,
      signedIn: c.get("auth") !== undefined,
    }),
  );
  app.get("/api/v1/integrations/test/:id/config", (c) => c.json({ workspaceId: c.get("auth").workspace.id }));

  // Public routes: one open, one declaring a credential, one failing.
  app.post("/api/v1/public/test/echo", async (c) => {
    c.header("set-cookie", "tracker=1; Path=/");
    return c.json({ cookie: c.req.header("cookie") ?? null, body: await c.req.json() });
  });
  app.get("/api/v1/public/test/ping", (c) => c.json({ ok: true }));
  const requireTestKey = createMiddleware<AppEnv>(async (c, next) => {
    if (c.req.header("x-api-key") !== "key_test")
      throw new DomainError("unauthenticated", "Send the chatbot's API key");
    await next();
  });
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/public/test/keyed",
      ...publicCredential("apiKey", requireTestKey),
      responses: { 200: json(z.object({ ok: z.boolean() })) },
    }),
    (c) => c.json({ ok: true }, 200),
  );

  const ws = await createSignInWorkspace(runtime);
  cookieClient = new TestClient(app);
  const signedIn = await cookieClient.signIn(ws.owner.user.email, TEST_PASSWORD);
  expect(signedIn.status).toBe(200);
  cookie = signedIn.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
});
afterAll(() => runtime.close());

let ipCounter = 0;
/** A request from its own client address, so the public rate limit of one test does not touch another. */
const fromNewAddress = (path: string, init: RequestInit = {}) =>
  app.request(`http://localhost:3000${path}`, init, {
    incoming: { socket: { remoteAddress: `198.51.100.${++ipCounter}` } },
  });

const corsHeaders = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([name]) => name.startsWith("access-control-")));

let cookie: string;
/** The session cookies a signed-in browser sends to every path of the host. */
const sessionCookie = () => cookie;

describe("which stack a path gets", () => {
  it("webhooks, public, or admin — LINE's webhook apart from its config and status siblings", () => {
    expect(audienceOf("/api/webhooks/messenger")).toBe("webhooks");
    expect(audienceOf("/api/v1/integrations/line/bot_1/webhook")).toBe("webhooks");
    expect(audienceOf("/api/v1/integrations/line/bot_1/config")).toBe("admin");
    expect(audienceOf("/api/v1/integrations/line/bot_1/status")).toBe("admin");
    expect(audienceOf("/api/v1/integrations/line/bot_1/webhook/extra")).toBe("admin");
    expect(audienceOf("/api/v1/public/chat/bot_1/messages")).toBe("public");
    expect(audienceOf("/api/v1/publicity")).toBe("admin");
    expect(audienceOf("/api/v1/conversations")).toBe("admin");
    expect(audienceOf("/api/auth/sign-in")).toBe("admin");
  });
});

describe("admin stack", () => {
  it("answers CORS for the app's origin only, with credentials", async () => {
    const mine = await cookieClient.get("/api/v1/me", { origin: APP_ORIGIN });
    expect(mine.status).toBe(200);
    expect(corsHeaders(mine)).toMatchObject({
      "access-control-allow-origin": APP_ORIGIN,
      "access-control-allow-credentials": "true",
    });
    const preflight = await app.request("/api/v1/conversations", {
      method: "OPTIONS",
      headers: { origin: APP_ORIGIN, "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(APP_ORIGIN);

    for (const res of [
      await cookieClient.get("/api/v1/me", { origin: OTHER_SITE }),
      await app.request("/api/v1/conversations", {
        method: "OPTIONS",
        headers: { origin: OTHER_SITE, "access-control-request-method": "POST" },
      }),
      await app.request("/api/auth/setup", { headers: { origin: OTHER_SITE } }),
    ]) {
      expect(res.headers.get("access-control-allow-origin")).toBeNull();
    }
    expect(
      (await app.request("/api/auth/setup", { headers: { origin: APP_ORIGIN } })).headers.get(
        "access-control-allow-origin",
      ),
    ).toBe(APP_ORIGIN);
  });

  it("signs in with the session cookie; mutations need the CSRF token; nothing without a caller", async () => {
    expect((await cookieClient.get("/api/v1/integrations/test/x/config")).status).toBe(200);
    const noCsrf = await app.request("/api/v1/tokens", {
      method: "POST",
      headers: { cookie: sessionCookie(), origin: APP_ORIGIN, "content-type": "application/json" },
      body: JSON.stringify({ name: "t" }),
    });
    expect(noCsrf.status).toBe(403);
    expect((await noCsrf.json()).error.code).toBe("csrf_failed");
    const anonymous = await app.request("/api/v1/integrations/test/x/config");
    expect(anonymous.status).toBe(401);
    expect((await anonymous.json()).error.code).toBe("unauthenticated");
    // The document needs no caller.
    expect((await app.request("/api/v1/openapi.json")).status).toBe(200);
  });
});

describe("webhook stack", () => {
  // Not valid JSON, not valid UTF-8: a NUL byte, a 0xFF, a lone surrogate escape and a \u0000 escape.
  const bytes = new Uint8Array([...Buffer.from('{"text":"a'), 0x00, 0xff, ...Buffer.from('\\ud83d \\u0000"}')]);

  it("hands the route the body's bytes exactly as received, NUL and lone surrogates included", async () => {
    const res = await app.request("/api/v1/integrations/test/x/webhook", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: bytes,
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(Buffer.from(body.bytes, "base64").equals(Buffer.from(bytes))).toBe(true);
    expect(body.text).toBe(new TextDecoder().decode(bytes));
  });

  it("reads no cookie and looks up no session, even with a valid one", async () => {
    const res = await app.request("/api/v1/integrations/test/x/webhook", {
      method: "POST",
      headers: { cookie: sessionCookie(), origin: APP_ORIGIN, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ cookie: null, signedIn: false });
  });

  it("takes Meta's signed webhook with a NUL in the text (stored cleaned, not refused), a cookie and an Origin", async () => {
    const body = serializeLikeMeta(
      messengerWebhook([textEvent({ pageId: "770001", psid: "880001", text: "a NUL \u0000 and \ud83d inside" })]),
    );
    expect(body).toContain("\\u0000");
    const res = await app.request("/api/webhooks/messenger", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": signMessengerBody(APP_SECRET, body),
        cookie: sessionCookie(),
        origin: APP_ORIGIN,
      },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("EVENT_RECEIVED");
    expect(corsHeaders(res)).toEqual({});
  });

  it("sends no CORS headers, whatever the Origin, on preflights too", async () => {
    for (const origin of [APP_ORIGIN, OTHER_SITE]) {
      const post = await app.request("/api/v1/integrations/test/x/webhook", {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: "{}",
      });
      expect(post.status).toBe(200);
      expect(corsHeaders(post)).toEqual({});
      const preflight = await app.request("/api/v1/integrations/test/x/webhook", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST" },
      });
      expect(corsHeaders(preflight)).toEqual({});
      const verification = await app.request("/api/webhooks/messenger?hub.mode=subscribe", { headers: { origin } });
      expect(corsHeaders(verification)).toEqual({});
    }
  });

  it("refuses a body over its limit with 413, declared or counted, and a NUL in the URL with 400", async () => {
    const huge = "x".repeat(WEBHOOK_MAX_BODY_BYTES + 1);
    const counted = await app.request("/api/v1/integrations/test/x/webhook", { method: "POST", body: huge });
    expect(counted.status).toBe(413);
    expect((await counted.json()).error).toMatchObject({ code: "payload_too_large", requestId: expect.any(String) });
    const declared = await app.request("/api/v1/integrations/test/x/webhook", {
      method: "POST",
      headers: { "content-length": String(huge.length) },
      body: huge,
    });
    expect(declared.status).toBe(413);
    const nul = await app.request("/api/v1/integrations/test/x%00/webhook", { method: "POST", body: "{}" });
    expect(nul.status).toBe(400);
  });
});

describe("public stack", () => {
  it("answers any origin without credentials, and drops cookies both ways", async () => {
    const res = await fromNewAddress("/api/v1/public/test/echo", {
      method: "POST",
      headers: { origin: OTHER_SITE, cookie: sessionCookie(), "content-type": "application/json" },
      body: JSON.stringify({ hello: "world" }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ cookie: null, body: { hello: "world" } });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
    expect(res.headers.get("access-control-expose-headers")).toContain("Retry-After");
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("answers preflights for its credential headers", async () => {
    const res = await fromNewAddress("/api/v1/public/test/keyed", {
      method: "OPTIONS",
      headers: {
        origin: OTHER_SITE,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, x-api-key",
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("x-api-key");
    expect(res.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("lets a route declare its credential, documented in the OpenAPI document", async () => {
    expect((await fromNewAddress("/api/v1/public/test/keyed")).status).toBe(401);
    expect((await fromNewAddress("/api/v1/public/test/keyed", { headers: { "x-api-key": "key_test" } })).status).toBe(
      200,
    );
    const doc = await (await app.request("/api/v1/openapi.json")).json();
    expect(doc.paths["/api/v1/public/test/keyed"].get.security).toEqual([{ apiKey: [] }]);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ in: "header", name: "X-API-Key" });
  });

  it("answers errors in the shared JSON shape, with CORS so a page can read them", async () => {
    for (const [res, status, code] of [
      [await fromNewAddress("/api/v1/public/nothing-here", { headers: { origin: OTHER_SITE } }), 404, "not_found"],
      [await fromNewAddress("/api/v1/public/test/keyed", { headers: { origin: OTHER_SITE } }), 401, "unauthenticated"],
      [
        await fromNewAddress("/api/v1/public/test/echo", {
          method: "POST",
          headers: { origin: OTHER_SITE, "content-type": "application/json" },
          body: '{"text":"a\\u0000b"}',
        }),
        400,
        "invalid_input",
      ],
      [
        await fromNewAddress("/api/v1/public/test/echo", {
          method: "POST",
          headers: { origin: OTHER_SITE, "content-type": "application/json" },
          body: JSON.stringify({ text: "x".repeat(PUBLIC_MAX_BODY_BYTES) }),
        }),
        413,
        "payload_too_large",
      ],
    ] as const) {
      expect(res.status, code).toBe(status);
      expect(res.headers.get("access-control-allow-origin"), code).toBe("*");
      expect((await res.json()).error, code).toMatchObject({
        code,
        message: expect.any(String),
        requestId: expect.any(String),
      });
    }
  });

  it("limits requests per client address: 429 with Retry-After, other addresses unaffected", async () => {
    const client = new TestClient(app, { ip: "203.0.113.77" });
    // Preflights are answered before the limit and not counted.
    await client.request("OPTIONS", "/api/v1/public/test/ping", undefined, {
      origin: OTHER_SITE,
      "access-control-request-method": "GET",
    });
    for (let i = 0; i < PUBLIC_LIMIT; i++) expect((await client.get("/api/v1/public/test/ping")).status).toBe(200);
    const limited = await client.get("/api/v1/public/test/ping", { origin: OTHER_SITE });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("access-control-allow-origin")).toBe("*");
    expect((await limited.json()).error).toMatchObject({ code: "rate_limited", requestId: expect.any(String) });
    expect((await new TestClient(app, { ip: "203.0.113.78" }).get("/api/v1/public/test/ping")).status).toBe(200);
    // The admin API is not counted against it.
    expect((await cookieClient.get("/api/v1/me")).status).toBe(200);
  });
});
