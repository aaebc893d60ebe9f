import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { type PublicWidgetConfig, WIDGET_ASSETS } from "@tandem/contracts";
import {
  assertVisitorIdentity,
  hashChatbotKey,
  identityHash,
  isWidgetSessionId,
  publicChatbot,
  type Runtime,
  verifyVisitorToken,
  visitorMetadata,
  widgetContact,
} from "@tandem/core";
import { chatbots, chatbotTranslations } from "@tandem/db";
import { createChatbot, createWorkspace } from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createApp } from "./app.ts";

const APP_ORIGIN = "http://localhost:3000";
const SHOP = "https://shop.example.com";
const SECRET = "identity-secret-of-the-test-chatbot";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let missingBuildApp: ReturnType<typeof createApp>;
let ip = 0;

beforeAll(async () => {
  runtime = await createTestRuntime();
  const dist = mkdtempSync(path.join(tmpdir(), "widget-dist-"));
  writeFileSync(
    path.join(dist, "loader.js"),
    `(function(){var b="${WIDGET_ASSETS.bundlePlaceholder}";window.__loader=b;${"/* padding */".repeat(50)}})();`,
  );
  writeFileSync(path.join(dist, "widget.js"), `window.__widget=1;${"/* widget */".repeat(200)}`);
  app = createApp(runtime, { widgetDistDir: dist });
  missingBuildApp = createApp(runtime, { widgetDistDir: path.join(dist, "absent") });
});

afterAll(() => runtime.close());

/** A request from its own client address, so the stack's per-address limit of one test does not touch another. */
function request(url: string, init: RequestInit = {}, target = app) {
  ip += 1;
  return target.request(`http://localhost:3000${url}`, init, {
    incoming: { socket: { remoteAddress: `203.0.113.${ip % 250}` } },
  });
}

async function chatbot(overrides: Parameters<typeof createChatbot>[1] extends infer I ? Partial<I> : never = {}) {
  const workspace = await createWorkspace(runtime.database.db);
  return createChatbot(runtime.database.db, {
    workspaceId: workspace.id,
    welcomeMessage: "Hello! How can we help?",
    language: "en",
    widgetConfig: { allowedDomains: ["shop.example.com"], suggestedQuestions: ["Opening hours?"] },
    ...overrides,
  });
}

const config = (chatbotId: string, headers: Record<string, string> = {}, query = "") =>
  request(`/api/v1/public/chat/${chatbotId}/config${query}`, { headers });

async function visitorToken(chatbotId: string, origin = SHOP) {
  const res = await config(chatbotId, { origin });
  expect(res.status).toBe(200);
  return ((await res.json()) as { visitor: { token: string; sessionId: string } }).visitor;
}

const identify = (chatbotId: string, token: string, body: unknown, origin = SHOP) =>
  request(`/api/v1/public/chat/${chatbotId}/identify`, {
    method: "POST",
    headers: { origin, "x-visitor-token": token, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("GET /public/chat/{chatbotId}/config", () => {
  it("gives a page on an allowed domain the widget's configuration and a visitor token for a new session", async () => {
    const bot = await chatbot();
    const res = await config(bot.id, { origin: SHOP });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const body = (await res.json()) as PublicWidgetConfig & { visitor: { sessionId: string; token: string } };
    expect(body).toMatchObject({
      chatbotId: bot.id,
      name: bot.name,
      welcomeMessage: "Hello! How can we help?",
      language: "en",
      theme: { primaryColor: "#2563eb", position: "bottom-right" },
      customCss: null,
      features: { suggestedQuestions: ["Opening hours?"], requireVerifiedIdentity: false, fileUpload: false },
      agentsOnline: false,
    });
    expect(isWidgetSessionId(body.visitor.sessionId)).toBe(true);
    expect(verifyVisitorToken(runtime.authSecret, body.visitor.token, bot.id)).toMatchObject({
      sessionId: body.visitor.sessionId,
      origin: SHOP,
    });
  });

  it("refreshes the token of the session the widget names, and starts a new one for anything else", async () => {
    const bot = await chatbot();
    const first = await visitorToken(bot.id);
    const again = await config(bot.id, { origin: SHOP, "x-visitor-session": first.sessionId });
    expect(((await again.json()) as { visitor: { sessionId: string } }).visitor.sessionId).toBe(first.sessionId);
    for (const chosen of ["my-own-session", "ws_short"]) {
      const res = await config(bot.id, { origin: SHOP, "x-visitor-session": chosen });
      const { visitor } = (await res.json()) as { visitor: { sessionId: string } };
      expect(visitor.sessionId).not.toBe(chosen);
      expect(isWidgetSessionId(visitor.sessionId)).toBe(true);
    }
  });

  it("refuses another site, and a page without Origin or key; the dashboard's own preview always passes", async () => {
    const bot = await chatbot();
    const other = await config(bot.id, { origin: "https://evil.example" });
    expect(other.status).toBe(403);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("origin_not_allowed");
    const noOrigin = await config(bot.id);
    expect(noOrigin.status).toBe(401);
    const empty = await chatbot({ widgetConfig: {} });
    expect((await config(empty.id, { origin: SHOP })).status).toBe(403);
    expect((await config(empty.id, { origin: APP_ORIGIN })).status).toBe(200);
    // A same-origin GET carries no Origin (the dashboard's preview): Sec-Fetch-Site says where it is from.
    const preview = await config(empty.id, { "sec-fetch-site": "same-origin" });
    expect(preview.status).toBe(200);
    const { visitor } = (await preview.json()) as { visitor: { token: string } };
    const session = await app.request(
      `${APP_ORIGIN}/api/v1/public/chat/${empty.id}/sessions/${(visitor as { sessionId: string } & typeof visitor).sessionId}/messages`,
      {
        headers: { "x-visitor-token": visitor.token, "sec-fetch-site": "same-origin" },
      },
    );
    expect(session.status).toBe(200);
    expect((await config(empty.id, { "sec-fetch-site": "cross-site" })).status).toBe(401);
  });

  it("serves a testing chatbot to the preview only, an inactive one to nobody, a deleted one is 404", async () => {
    const testing = await chatbot({ status: "testing" });
    expect((await config(testing.id, { origin: SHOP })).status).toBe(403);
    expect((await config(testing.id, { origin: APP_ORIGIN })).status).toBe(200);
    const inactive = await chatbot({ status: "inactive" });
    for (const origin of [SHOP, APP_ORIGIN]) {
      const res = await config(inactive.id, { origin });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("chatbot_inactive");
    }
    const deleted = await chatbot({ deletedAt: new Date() });
    expect((await config(deleted.id, { origin: SHOP })).status).toBe(404);
    expect((await config("bot_nothing", { origin: SHOP })).status).toBe(404);
  });

  it("answers a server with the chatbot's key without a visitor token; a wrong key is refused", async () => {
    const key = "ck_test_key_for_the_config_endpoint_0001";
    const bot = await chatbot({ apiKeyHash: hashChatbotKey(key), status: "testing" });
    const res = await config(bot.id, { "x-api-key": key });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { visitor: unknown }).visitor).toBeNull();
    expect((await config(bot.id, { "x-api-key": "ck_wrong" })).status).toBe(401);
    const other = await chatbot();
    expect((await config(other.id, { "x-api-key": key })).status).toBe(401);
  });

  it("gives the welcome message in the visitor's language when the chatbot has that translation", async () => {
    const bot = await chatbot();
    await runtime.database.db
      .insert(chatbotTranslations)
      .values({ chatbotId: bot.id, languageCode: "th", welcomeMessage: "สวัสดีค่ะ" });
    const thai = (await (
      await config(bot.id, { origin: SHOP, "accept-language": "th-TH,th;q=0.9,en;q=0.8" })
    ).json()) as {
      welcomeMessage: string;
      language: string;
    };
    expect(thai).toMatchObject({ welcomeMessage: "สวัสดีค่ะ", language: "th" });
    const asked = (await (await config(bot.id, { origin: SHOP, "accept-language": "en" }, "?lang=th")).json()) as {
      language: string;
    };
    expect(asked.language).toBe("th");
    const english = (await (await config(bot.id, { origin: SHOP, "accept-language": "en-US,th;q=0.5" })).json()) as {
      welcomeMessage: string;
    };
    expect(english.welcomeMessage).toBe("Hello! How can we help?");
    const japanese = (await (await config(bot.id, { origin: SHOP, "accept-language": "ja" })).json()) as {
      welcomeMessage: string;
      language: string;
    };
    expect(japanese).toMatchObject({ welcomeMessage: "Hello! How can we help?", language: "en" });
  });
});

describe("POST /public/chat/{chatbotId}/identify", () => {
  it("keeps a verified identity on the session's contact when userHash is the HMAC of userId", async () => {
    const bot = await chatbot({
      identitySecretEncrypted: runtime.keyring.encrypt(SECRET),
      widgetConfig: { allowedDomains: ["shop.example.com"], requireVerifiedIdentity: true },
    });
    const visitor = await visitorToken(bot.id);
    const fresh = await publicChatbot(runtime.database.db, bot.id);
    await expect(
      assertVisitorIdentity(runtime.database.db, { chatbot: fresh, kind: "web", sessionId: visitor.sessionId }),
    ).rejects.toMatchObject({
      code: "identity_required",
    });
    const res = await identify(bot.id, visitor.token, {
      userId: "user-42",
      userHash: identityHash(SECRET, "user-42").toUpperCase(),
      name: "Ada Lovelace",
      email: "ada@example.com",
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ verified: true });
    const contact = await widgetContact(runtime.database.db, fresh, visitor.sessionId);
    expect(contact).toMatchObject({ name: "Ada Lovelace", email: "ada@example.com", workspaceId: bot.workspaceId });
    expect(visitorMetadata(contact)).toEqual({ userId: "user-42", email: "ada@example.com", verified: true });
    await assertVisitorIdentity(runtime.database.db, { chatbot: fresh, kind: "web", sessionId: visitor.sessionId });
  });

  it("refuses a forged userHash and stores nothing; without a hash the identity is unverified", async () => {
    const bot = await chatbot({
      identitySecretEncrypted: runtime.keyring.encrypt(SECRET),
      widgetConfig: { allowedDomains: ["shop.example.com"], requireVerifiedIdentity: true },
    });
    const fresh = await publicChatbot(runtime.database.db, bot.id);
    const visitor = await visitorToken(bot.id);
    const forged = await identify(bot.id, visitor.token, {
      userId: "user-42",
      userHash: identityHash("another secret", "user-42"),
      name: "Mallory",
    });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { error: { code: string } }).error.code).toBe("identity_unverified");
    expect(await widgetContact(runtime.database.db, fresh, visitor.sessionId)).toBeUndefined();

    const unverified = await identify(bot.id, visitor.token, { userId: "user-42", name: "Ada" });
    expect(await unverified.json()).toEqual({ verified: false });
    const contact = await widgetContact(runtime.database.db, fresh, visitor.sessionId);
    expect(visitorMetadata(contact)).toMatchObject({ userId: "user-42", verified: false });
    await expect(
      assertVisitorIdentity(runtime.database.db, { chatbot: fresh, kind: "web", sessionId: visitor.sessionId }),
    ).rejects.toMatchObject({
      code: "identity_required",
    });
  });

  it("refuses a visitor token once the chatbot is testing (outside the preview) or inactive", async () => {
    const bot = await chatbot();
    const visitor = await visitorToken(bot.id);
    await runtime.database.db.update(chatbots).set({ status: "testing" }).where(eq(chatbots.id, bot.id));
    expect((await identify(bot.id, visitor.token, { userId: "u" })).status).toBe(403);
    await runtime.database.db.update(chatbots).set({ status: "inactive" }).where(eq(chatbots.id, bot.id));
    expect((await identify(bot.id, visitor.token, { userId: "u" })).status).toBe(409);
  });

  it("needs the visitor token from its own origin, and valid input", async () => {
    const bot = await chatbot({ widgetConfig: { allowedDomains: ["shop.example.com", "other.example.com"] } });
    const visitor = await visitorToken(bot.id);
    expect((await identify(bot.id, visitor.token, { userId: "u" }, "https://other.example.com")).status).toBe(403);
    expect((await identify(bot.id, "vt1.forged.token", { userId: "u" })).status).toBe(401);
    expect((await identify(bot.id, visitor.token, { userId: "u", userHash: "nothex" })).status).toBe(400);
    const noSecret = await identify(bot.id, visitor.token, { userId: "u", userHash: identityHash(SECRET, "u") });
    expect(await noSecret.json()).toEqual({ verified: false });
  });
});

describe("widget scripts", () => {
  it("serves the loader with the hashed bundle's name, and the bundle immutable under that name", async () => {
    const bot = await chatbot();
    const res = await request(`/api/v1/public/widget/${bot.id}/loader.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const loader = await res.text();
    const name = /var b="(widget\.[0-9a-f]{16}\.js)"/.exec(loader)?.[1];
    expect(name).toBeDefined();
    expect(loader).not.toContain(WIDGET_ASSETS.bundlePlaceholder);

    const bundle = await request(`/api/v1/public/widget/${name}`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await bundle.text()).toMatch(/^window\.__widget=1;/);
    const plain = await request(WIDGET_ASSETS.bundlePath);
    expect(plain.headers.get("cache-control")).toBe("public, max-age=300");
    expect((await request("/api/v1/public/widget/widget.0123456789abcdef.js")).status).toBe(404);
    expect((await request("/api/v1/public/widget/evil.js")).status).toBe(400);
    expect((await request("/api/v1/public/widget/bot_nothing/loader.js")).status).toBe(404);
  });

  it("gzips when asked, and answers 304 to the ETag it gave", async () => {
    const first = await request(WIDGET_ASSETS.bundlePath, { headers: { "accept-encoding": "gzip, br" } });
    expect(first.headers.get("content-encoding")).toBe("gzip");
    expect(first.headers.get("vary")).toContain("Accept-Encoding");
    const zipped = Buffer.from(await first.arrayBuffer());
    expect(gunzipSync(zipped).toString()).toMatch(/^window\.__widget=1;/);
    const etag = first.headers.get("etag")!;
    const again = await request(WIDGET_ASSETS.bundlePath, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
  });

  it("says how to build the widget when its build is missing", async () => {
    const bot = await chatbot();
    for (const url of [`/api/v1/public/widget/${bot.id}/loader.js`, WIDGET_ASSETS.bundlePath]) {
      const res = await request(url, {}, missingBuildApp);
      expect(res.status).toBe(503);
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      expect(error.code).toBe("widget_not_built");
      expect(error.message).toContain("npm run build -w apps/widget");
    }
  });
});

describe("OpenAPI document", () => {
  it("lists the widget's routes with their credentials", async () => {
    const doc = (await (await app.request("/api/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown }>>;
    };
    expect(doc.paths["/api/v1/public/chat/{chatbotId}/config"]?.get).toBeDefined();
    expect(doc.paths["/api/v1/public/chat/{chatbotId}/identify"]?.post?.security).toEqual([{ visitorToken: [] }]);
    expect(doc.paths["/api/v1/public/widget/{chatbotId}/loader.js"]?.get).toBeDefined();
    expect(doc.paths["/api/v1/public/widget/{file}"]?.get).toBeDefined();
  });
});
