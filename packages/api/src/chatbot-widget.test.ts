/**
 * The widget settings of a chatbot (`/api/v1/chatbots/{id}/widget`, issue 14): defaults, partial
 * updates merged into `widget_config`, validation naming the field and changing nothing, custom CSS
 * sanitised, the identity secret shown once and stored encrypted, audit rows, and roles.
 */
import { createHmac } from "node:crypto";
import type { Runtime } from "@tandem/core";
import { auditLogs, chatbots } from "@tandem/db";
import { createChatbot } from "@tandem/db/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  runtime = await createTestRuntime();
  app = createApp(runtime);
});
afterAll(async () => {
  await runtime.close();
});

const db = () => runtime.database.db;

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function setup() {
  const ws = await createSignInWorkspace(runtime);
  const other = await createSignInWorkspace(runtime);
  const [owner, admin, agent, stranger] = await Promise.all([
    signedIn(ws.owner.user.email),
    signedIn(ws.admin.user.email),
    signedIn(ws.agent.user.email),
    signedIn(other.admin.user.email),
  ]);
  const bot = await createChatbot(db(), {
    workspaceId: ws.workspace.id,
    widgetConfig: { suggestedQuestions: ["Do you ship to Japan?"] },
  });
  return { ws, owner, admin, agent, stranger, bot, url: `/api/v1/chatbots/${bot.id}/widget` };
}

const rowOf = async (id: string) => (await db().select().from(chatbots).where(eq(chatbots.id, id)))[0]!;
const auditOf = (workspaceId: string, action: string) =>
  db()
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.workspaceId, workspaceId), eq(auditLogs.action, action)));

describe("GET /api/v1/chatbots/{id}/widget", () => {
  it("gives the theme defaults, no domains, no secret and the embed snippet with APP_URL", async () => {
    const { owner, bot, url } = await setup();
    const res = await owner.get(url);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      theme: {
        primaryColor: "#2563eb",
        fontFamily: "system-ui, sans-serif",
        borderRadius: "12px",
        position: "bottom-right",
      },
      allowedDomains: [],
      customCss: null,
      requireVerifiedIdentity: false,
      identitySecretSet: false,
      embedSnippet: `<script src="${runtime.config.appUrl}/api/v1/public/widget/${bot.id}/loader.js" async></script>`,
    });
  });

  it("AGENT 403, another workspace 404, a deleted chatbot 404", async () => {
    const { ws, admin, agent, stranger, url } = await setup();
    expect((await agent.get(url)).status).toBe(403);
    const missing = await stranger.get(url);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("chatbot_not_found");
    const gone = await createChatbot(db(), { workspaceId: ws.workspace.id, deletedAt: new Date() });
    expect((await admin.get(`/api/v1/chatbots/${gone.id}/widget`)).status).toBe(404);
  });
});

describe("PATCH /api/v1/chatbots/{id}/widget", () => {
  it("merges a partial theme and the other fields into widget_config, keeps suggested questions, audits", async () => {
    const { ws, admin, bot, url } = await setup();
    // Requiring verified identity needs a secret: refused, naming the field, until one exists.
    const early = await admin.patch(url, { requireVerifiedIdentity: true });
    expect(early.status).toBe(400);
    expect((await early.json()).error).toMatchObject({
      code: "identity_secret_required",
      details: [expect.objectContaining({ path: "requireVerifiedIdentity" })],
    });
    expect((await rowOf(bot.id)).widgetConfig.requireVerifiedIdentity).toBeUndefined();
    expect((await admin.post(`${url}/identity-secret`)).status).toBe(200);

    const res = await admin.patch(url, {
      theme: { primaryColor: "#ff0066", position: "bottom-left" },
      allowedDomains: ["Shop.Example.com", "*.example.org", "shop.example.com", "localhost:8080"],
      requireVerifiedIdentity: true,
    });
    expect(res.status).toBe(200);
    const saved = await res.json();
    expect(saved).toMatchObject({
      theme: {
        primaryColor: "#ff0066",
        fontFamily: "system-ui, sans-serif",
        borderRadius: "12px",
        position: "bottom-left",
      },
      allowedDomains: ["shop.example.com", "*.example.org", "localhost:8080"],
      requireVerifiedIdentity: true,
      customCss: null,
    });
    // A second partial change keeps the first.
    const again = await (await admin.patch(url, { theme: { borderRadius: "4px" } })).json();
    expect(again.theme).toEqual({ ...saved.theme, borderRadius: "4px" });
    expect(again.allowedDomains).toEqual(saved.allowedDomains);
    expect((await admin.get(url)).status).toBe(200);

    const row = await rowOf(bot.id);
    expect(row.widgetConfig).toMatchObject({
      suggestedQuestions: ["Do you ship to Japan?"],
      allowedDomains: ["shop.example.com", "*.example.org", "localhost:8080"],
      requireVerifiedIdentity: true,
      theme: { primaryColor: "#ff0066", borderRadius: "4px", position: "bottom-left" },
    });
    const audits = await auditOf(ws.workspace.id, "chatbot.update_widget");
    expect(audits).toHaveLength(2);
    expect(audits.map((a) => a.after)).toContainEqual({ theme: again.theme });
    expect(audits.map((a) => a.before)).toContainEqual({
      theme: { ...saved.theme, borderRadius: "12px" },
    });
  });

  it("an invalid colour, domain, radius or unknown field is a 400 naming the field, and nothing changes", async () => {
    const { ws, admin, bot, url } = await setup();
    const cases: [Record<string, unknown>, string][] = [
      [{ theme: { primaryColor: "red" } }, "theme.primaryColor"],
      [{ theme: { primaryColor: "#12345" }, allowedDomains: ["ok.example.com"] }, "theme.primaryColor"],
      [{ allowedDomains: ["https://shop.example.com/path"] }, "allowedDomains.0"],
      [{ allowedDomains: ["ok.example.com", "bad domain"] }, "allowedDomains.1"],
      [{ theme: { borderRadius: "12" } }, "theme.borderRadius"],
      [{ theme: { fontFamily: "x;}body{color:red" } }, "theme.fontFamily"],
      [{ theme: { position: "top-left" } }, "theme.position"],
      [{ allowedDomains: Array.from({ length: 51 }, (_, i) => `d${i}.example.com`) }, "allowedDomains"],
      [{ customCss: "a{}".repeat(7000) }, "customCss"],
    ];
    for (const [body, path] of cases) {
      const res = await admin.patch(url, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      const { error } = await res.json();
      expect(error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const unknown = await admin.patch(url, { customJs: "alert(1)" });
    expect(unknown.status).toBe(400);
    expect((await rowOf(bot.id)).widgetConfig).toEqual({ suggestedQuestions: ["Do you ship to Japan?"] });
    expect(await auditOf(ws.workspace.id, "chatbot.update_widget")).toHaveLength(0);
  });

  it("sanitises custom CSS: no </style> breakout, @import or javascript: url, even when escaped", async () => {
    const { admin, url } = await setup();
    const css = [
      ".tandem-launcher { background: #111; }",
      "</style><script>alert(1)</script>",
      "@import url(https://evil.example/x.css);",
      "@\\69mport 'https://evil.example/y.css';",
      ".a { background: url( 'javascript:alert(1)' ); }",
      ".b { background: u\\72l(javascript:alert(2)); }",
      ".c { width: expression(alert(3)); behavior: url(x.htc); }",
      '.d { font-family: "Brand"; src: url(https://cdn.example.com/brand.woff2); content: "\\201C"; }',
    ].join("\n");
    const saved = await (await admin.patch(url, { customCss: css })).json();
    const out: string = saved.customCss;
    for (const banned of ["<", "@import", "javascript:", "expression(", "behavior", "\\69", "\\72"]) {
      expect(out.toLowerCase()).not.toContain(banned);
    }
    expect(out).toContain(".tandem-launcher { background: #111; }");
    expect(out).toContain("url(https://cdn.example.com/brand.woff2)");
    expect(out).toContain('content: "\\201C"');
    expect(out).toContain(".a { background: none; }");
    // Nothing left: stored as null.
    expect((await (await admin.patch(url, { customCss: "  @import 'x';  " })).json()).customCss).toBeNull();
    expect((await (await admin.patch(url, { customCss: null })).json()).customCss).toBeNull();
  });

  it("AGENT 403, another workspace 404, and neither changes anything", async () => {
    const { agent, stranger, bot, url } = await setup();
    expect((await agent.patch(url, { allowedDomains: ["x.example.com"] })).status).toBe(403);
    expect((await stranger.patch(url, { allowedDomains: ["x.example.com"] })).status).toBe(404);
    expect((await rowOf(bot.id)).widgetConfig).toEqual({ suggestedQuestions: ["Do you ship to Japan?"] });
  });
});

describe("POST /api/v1/chatbots/{id}/widget/identity-secret", () => {
  it("returns a 64-hex secret once, stores it encrypted, the GET only says it exists, audits without it", async () => {
    const { ws, owner, bot, url } = await setup();
    const res = await owner.post(`${url}/identity-secret`);
    expect(res.status).toBe(200);
    const { identitySecret } = await res.json();
    expect(identitySecret).toMatch(/^[0-9a-f]{64}$/);

    const row = await rowOf(bot.id);
    expect(row.identitySecretEncrypted).toMatch(/^enc:v1:/);
    expect(row.identitySecretEncrypted).not.toContain(identitySecret);
    expect(runtime.keyring.decrypt(row.identitySecretEncrypted!)).toBe(identitySecret);
    // The stored secret signs user ids as the site's server would.
    const userHash = createHmac("sha256", runtime.keyring.decrypt(row.identitySecretEncrypted!))
      .update("u_1")
      .digest("hex");
    expect(userHash).toBe(createHmac("sha256", identitySecret).update("u_1").digest("hex"));

    const settingsText = await (await owner.get(url)).text();
    expect(JSON.parse(settingsText).identitySecretSet).toBe(true);
    expect(settingsText).not.toContain(identitySecret);

    const next = (await (await owner.post(`${url}/identity-secret`)).json()).identitySecret;
    expect(next).not.toBe(identitySecret);
    expect(runtime.keyring.decrypt((await rowOf(bot.id)).identitySecretEncrypted!)).toBe(next);

    const audits = await auditOf(ws.workspace.id, "chatbot.regenerate_identity_secret");
    expect(audits).toHaveLength(2);
    expect(audits.map((a) => [a.before, a.after])).toContainEqual([
      { identitySecretSet: false },
      { identitySecretSet: true },
    ]);
    const auditText = JSON.stringify(audits);
    expect(auditText).not.toContain(identitySecret);
    expect(auditText).not.toContain(next);
  });

  it("AGENT 403, another workspace 404, and no secret is set", async () => {
    const { agent, stranger, bot, url } = await setup();
    expect((await agent.post(`${url}/identity-secret`)).status).toBe(403);
    expect((await stranger.post(`${url}/identity-secret`)).status).toBe(404);
    expect((await rowOf(bot.id)).identitySecretEncrypted).toBeNull();
  });
});

describe("OpenAPI", () => {
  it("documents the widget routes", async () => {
    const { owner } = await setup();
    const doc = await (await owner.get("/api/v1/openapi.json")).json();
    expect(Object.keys(doc.paths["/api/v1/chatbots/{chatbotId}/widget"])).toEqual(
      expect.arrayContaining(["get", "patch"]),
    );
    expect(doc.paths["/api/v1/chatbots/{chatbotId}/widget/identity-secret"].post).toBeDefined();
  });
});
