/**
 * "Audit rows for every settings route": walks the OpenAPI document for every mutating route that
 * OWNER / ADMIN reserve for themselves (members, channels, providers, chatbots, knowledge, workspace
 * settings, integrations), calls each one for real — Messenger, LINE and Shopify through the simulator
 * over HTTP — and
 * proves each wrote its audit row, by the admin, in the admin's workspace. A route added later
 * fails this test until it has a case here (and an audit row) or a reason it changes no setting.
 */
import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import type { Runtime } from "@tandem/core";
import { auditLogs } from "@tandem/db";
import type { TestWorkspace } from "@tandem/db/testing";
import { createSimulator } from "@tandem/simulator";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { attachTestQueue, createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

const APP_ID = "1234567890123";
const APP_SECRET = "sim-app-secret-0123456789";
const simulator = createSimulator({ graph: { appId: APP_ID, appSecret: APP_SECRET } });
let server: ReturnType<typeof serve>;
let runtime: Runtime;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  runtime = await createTestRuntime({ FB_APP_ID: APP_ID, FB_APP_SECRET: APP_SECRET });
  // Not started: background work (ingests, prompt generation) is only stored; the audit row is written with the request.
  attachTestQueue(runtime);
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  });
  runtime.config.facebook.graphApiUrl = `http://127.0.0.1:${port}/graph`;
  runtime.config.lineApiUrl = `http://127.0.0.1:${port}/line/api`;
  runtime.config.lineDataApiUrl = `http://127.0.0.1:${port}/line/data`;
  runtime.config.shopifyApiUrl = `http://127.0.0.1:${port}/shopify`;
  app = createApp(runtime);
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
});

/** The permissions of workspace settings: their mutating routes must all be audited. */
const SETTINGS_PERMISSIONS = [
  "members.manage",
  "settings.manage",
  "channels.manage",
  "providers.manage",
  "chatbots.manage",
  "knowledge.manage",
  "integrations.manage",
];

/** Mutating routes under those permissions that change no setting, and why. */
const CHANGE_NOTHING: Record<string, string> = {
  "POST /api/v1/channels/messenger/webhook/verify": "plays Meta's verification handshake against our own URL",
  "POST /api/v1/integrations/line/{chatbotId}/webhook-test": "asks LINE to test the URL already set",
  "POST /api/v1/providers/test": "tries a provider key without saving it",
  "POST /api/v1/providers/credentials/{credentialId}/test": "tries a saved key",
  "POST /api/v1/chatbots/{id}/playground/chat": "a test conversation inside an audited playground session",
  "POST /api/v1/chatbots/{id}/playground/compare": "a test conversation inside an audited playground session",
  "POST /api/v1/chatbots/{chatbotId}/knowledge/search": "a search",
};

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join("");

interface State {
  ws: TestWorkspace;
  admin: TestClient;
  chatbotId: string;
  /** Filled in by the cases as they go (created ids), read by the later ones. */
  ids: Record<string, string>;
}

interface Case {
  /** `METHOD /path` as in the OpenAPI document. */
  route: string;
  action: string;
  call: (s: State) => Promise<Response>;
}

const json = async (res: Response) => (await res.clone().json()) as Record<string, unknown> & { id: string };

function faqForm(csv: string): FormData {
  const data = new FormData();
  data.append("file", new Blob([new TextEncoder().encode(csv)], { type: "text/csv" }), "faq.csv");
  return data;
}

async function facebookLogin(admin: TestClient): Promise<string> {
  const start = await admin.get("/api/v1/channels/messenger/oauth/start");
  const back = await fetch(new URL(start.headers.get("location")!), { redirect: "manual" });
  const callback = new URL(back.headers.get("location")!);
  const done = await admin.get(`${callback.pathname}${callback.search}`);
  return new URL(done.headers.get("location")!).searchParams.get("oauth")!;
}

/** In order: later cases use what earlier ones created. */
const CASES: Case[] = [
  // Workspace settings and members
  {
    route: "PATCH /api/v1/settings/inbox",
    action: "workspace.inbox_settings.update",
    call: (s) => s.admin.patch("/api/v1/settings/inbox", { autoAssign: "round_robin" }),
  },
  {
    route: "PATCH /api/v1/settings/analytics",
    action: "workspace.analytics_settings.update",
    call: (s) => s.admin.patch("/api/v1/settings/analytics", { timeZone: "Asia/Bangkok" }),
  },
  {
    route: "POST /api/v1/members",
    action: "member.invite",
    call: async (s) => {
      const res = await s.admin.post("/api/v1/members", { email: `new-${hex(4)}@example.com`, role: "AGENT" });
      s.ids.invitation = ((await json(res)).invitation as { id: string }).id;
      return res;
    },
  },
  {
    route: "POST /api/v1/invitations/{id}/resend",
    action: "member.resend_invitation",
    call: (s) => s.admin.post(`/api/v1/invitations/${s.ids.invitation}/resend`),
  },
  {
    route: "DELETE /api/v1/invitations/{id}",
    action: "member.revoke_invitation",
    call: (s) => s.admin.delete(`/api/v1/invitations/${s.ids.invitation}`),
  },
  {
    route: "PATCH /api/v1/members/{id}",
    action: "member.update_role",
    call: (s) => s.admin.patch(`/api/v1/members/${s.ws.agent.member.id}`, { role: "ADMIN" }),
  },
  {
    route: "DELETE /api/v1/members/{id}",
    action: "member.remove",
    call: (s) => s.admin.delete(`/api/v1/members/${s.ws.agent.member.id}`),
  },
  // Canned responses
  {
    route: "POST /api/v1/canned-responses",
    action: "canned_response.create",
    call: async (s) => {
      const res = await s.admin.post("/api/v1/canned-responses", { shortcut: "hi", title: "Hi", text: "Hello!" });
      s.ids.canned = (await json(res)).id;
      return res;
    },
  },
  {
    route: "PATCH /api/v1/canned-responses/{id}",
    action: "canned_response.update",
    call: (s) => s.admin.patch(`/api/v1/canned-responses/${s.ids.canned}`, { text: "Hello there!" }),
  },
  {
    route: "DELETE /api/v1/canned-responses/{id}",
    action: "canned_response.delete",
    call: (s) => s.admin.delete(`/api/v1/canned-responses/${s.ids.canned}`),
  },
  // Providers
  {
    route: "PUT /api/v1/settings/provider",
    action: "provider.update",
    call: (s) =>
      s.admin.put("/api/v1/settings/provider", {
        provider: "OFFLINE",
        model: "offline-faq",
        temperature: 0.3,
        maxTokens: 512,
        systemPrompt: "You are Sunny Bakery's assistant. {knowledge}",
      }),
  },
  {
    route: "PUT /api/v1/settings/bot",
    action: "chatbot.update",
    call: (s) =>
      s.admin.put("/api/v1/settings/bot", {
        promptVariables: { brandName: "Sunny Bakery", tone: "warm", doList: [], dontList: [], policySnippets: [] },
        guardrails: {
          profanityFilter: true,
          profanityWords: {},
          maxConsecutiveBotReplies: 5,
          confidenceThreshold: 0.5,
          handoffOnRefusal: false,
          refusalPhrases: [],
          humanRequestPhrases: [],
        },
        memory: { lastNMessages: 6, summarizeAfter: 20, maxPromptTokens: 4000 },
      }),
  },
  {
    route: "POST /api/v1/providers/credentials",
    action: "provider_credential.create",
    call: async (s) => {
      const res = await s.admin.post("/api/v1/providers/credentials", {
        name: "Team key",
        kind: "OPENAI",
        apiKey: `sk-test-${hex(16)}`,
      });
      s.ids.credential = (await json(res)).id;
      return res;
    },
  },
  {
    route: "PATCH /api/v1/providers/credentials/{credentialId}",
    action: "provider_credential.update",
    call: (s) => s.admin.patch(`/api/v1/providers/credentials/${s.ids.credential}`, { name: "Renamed key" }),
  },
  {
    route: "DELETE /api/v1/providers/credentials/{credentialId}",
    action: "provider_credential.delete",
    call: (s) => s.admin.delete(`/api/v1/providers/credentials/${s.ids.credential}`),
  },
  // Chatbots
  {
    route: "POST /api/v1/chatbots",
    action: "chatbot.create",
    call: async (s) => {
      const res = await s.admin.post("/api/v1/chatbots", { name: "Second bot" });
      s.ids.chatbot = (await json(res)).id;
      return res;
    },
  },
  {
    route: "PATCH /api/v1/chatbots/{chatbotId}",
    action: "chatbot.update",
    call: (s) => s.admin.patch(`/api/v1/chatbots/${s.ids.chatbot}`, { name: "Second bot, renamed" }),
  },
  {
    route: "POST /api/v1/chatbots/{chatbotId}/regenerate-token",
    action: "chatbot.regenerate_key",
    call: (s) => s.admin.post(`/api/v1/chatbots/${s.ids.chatbot}/regenerate-token`),
  },
  {
    route: "PUT /api/v1/chatbots/{chatbotId}/translations/{languageCode}",
    action: "chatbot.translation.put",
    call: (s) => s.admin.put(`/api/v1/chatbots/${s.ids.chatbot}/translations/th`, { welcomeMessage: "สวัสดีค่ะ" }),
  },
  {
    route: "DELETE /api/v1/chatbots/{chatbotId}/translations/{languageCode}",
    action: "chatbot.translation.delete",
    call: (s) => s.admin.delete(`/api/v1/chatbots/${s.ids.chatbot}/translations/th`),
  },
  {
    route: "PATCH /api/v1/chatbots/{chatbotId}/widget",
    action: "chatbot.update_widget",
    call: (s) => s.admin.patch(`/api/v1/chatbots/${s.ids.chatbot}/widget`, { theme: { primaryColor: "#ff0066" } }),
  },
  {
    route: "POST /api/v1/chatbots/{chatbotId}/widget/identity-secret",
    action: "chatbot.regenerate_identity_secret",
    call: (s) => s.admin.post(`/api/v1/chatbots/${s.ids.chatbot}/widget/identity-secret`),
  },
  {
    route: "PUT /api/v1/chatbots/{id}/prompt",
    action: "prompt.update",
    call: async (s) => {
      const current = await s.admin.get(`/api/v1/chatbots/${s.ids.chatbot}/prompt`);
      s.ids.firstPromptVersion = (await json(current)).versionId as string;
      return s.admin.request(
        "PUT",
        `/api/v1/chatbots/${s.ids.chatbot}/prompt`,
        { text: "Be brief. {knowledge}" },
        { "if-match": current.headers.get("etag")! },
      );
    },
  },
  {
    route: "POST /api/v1/chatbots/{id}/prompt/rollback",
    action: "prompt.rollback",
    call: async (s) => {
      const current = await s.admin.get(`/api/v1/chatbots/${s.ids.chatbot}/prompt`);
      return s.admin.request(
        "POST",
        `/api/v1/chatbots/${s.ids.chatbot}/prompt/rollback`,
        { versionId: s.ids.firstPromptVersion },
        { "if-match": current.headers.get("etag")! },
      );
    },
  },
  {
    route: "POST /api/v1/chatbots/{id}/prompt/generate",
    action: "prompt_generation.start",
    call: (s) => {
      const data = new FormData();
      const text = "Sunny Bakery sells sourdough and cakes. Open 8 to 18, closed Mondays.";
      data.append("files", new Blob([new TextEncoder().encode(text)], { type: "text/plain" }), "about.txt");
      return s.admin.request("POST", `/api/v1/chatbots/${s.ids.chatbot}/prompt/generate`, data);
    },
  },
  {
    route: "POST /api/v1/chatbots/{id}/playground/sessions",
    action: "playground_session.create",
    call: async (s) => {
      const res = await s.admin.post(`/api/v1/chatbots/${s.ids.chatbot}/playground/sessions`, {});
      s.ids.playground = (await json(res)).id;
      return res;
    },
  },
  {
    route: "DELETE /api/v1/chatbots/{id}/playground/sessions/{sessionId}",
    action: "playground_session.end",
    call: (s) => s.admin.delete(`/api/v1/chatbots/${s.ids.chatbot}/playground/sessions/${s.ids.playground}`),
  },
  // Channels: Messenger through the Graph simulator, LINE through the LINE simulator
  {
    route: "POST /api/v1/channels/messenger/connect",
    action: "channel.connect",
    call: async (s) => {
      const page = simulator.graph.state.addPage({
        id: `1${digits(14)}`,
        name: "Corner Bakery",
        accessToken: `EAAPAGE${randomBytes(24).toString("base64url")}`,
      });
      const res = await s.admin.post("/api/v1/channels/messenger/connect", {
        pageId: page.id,
        pageAccessToken: page.accessToken,
      });
      s.ids.channel = (await json(res)).id;
      return res;
    },
  },
  {
    route: "POST /api/v1/channels/messenger/oauth/connect",
    action: "channel.connect",
    call: async (s) => {
      const page = simulator.graph.state.addPage({
        id: `1${digits(14)}`,
        name: "Second Shop",
        accessToken: `EAAPAGE${randomBytes(24).toString("base64url")}`,
      });
      const oauth = await facebookLogin(s.admin);
      return s.admin.post("/api/v1/channels/messenger/oauth/connect", { oauth, pageIds: [page.id] });
    },
  },
  {
    route: "PATCH /api/v1/channels/{id}",
    action: "channel.assign_chatbot",
    call: (s) => s.admin.patch(`/api/v1/channels/${s.ids.channel}`, { chatbotId: s.ids.chatbot }),
  },
  {
    route: "POST /api/v1/channels/{id}/unsubscribe",
    action: "channel.unsubscribe",
    call: (s) => s.admin.post(`/api/v1/channels/${s.ids.channel}/unsubscribe`),
  },
  {
    route: "POST /api/v1/channels/{id}/subscribe",
    action: "channel.subscribe",
    call: (s) => s.admin.post(`/api/v1/channels/${s.ids.channel}/subscribe`),
  },
  {
    route: "DELETE /api/v1/channels/{id}",
    action: "channel.disconnect",
    call: (s) => s.admin.delete(`/api/v1/channels/${s.ids.channel}`),
  },
  {
    route: "PUT /api/v1/integrations/line/{chatbotId}/config",
    action: "channel.connect",
    call: (s) => {
      const account = simulator.line.state.addChannel({
        channelId: `2${digits(9)}`,
        channelSecret: hex(16),
        channelAccessToken: `lineToken${randomBytes(30).toString("base64url")}`,
        userId: `U${hex(16)}`,
        basicId: `@${hex(4)}`,
        displayName: "LINE Bakery",
      });
      return s.admin.put(`/api/v1/integrations/line/${s.chatbotId}/config`, {
        channelId: account.channelId,
        channelSecret: account.channelSecret,
        channelAccessToken: account.channelAccessToken,
      });
    },
  },
  {
    route: "POST /api/v1/integrations/line/{chatbotId}/webhook-endpoint",
    action: "channel.set_webhook",
    call: (s) => s.admin.post(`/api/v1/integrations/line/${s.chatbotId}/webhook-endpoint`),
  },
  // Knowledge
  {
    route: "POST /api/v1/knowledge/sources",
    action: "knowledge_source.create",
    call: async (s) => {
      const res = await s.admin.post("/api/v1/knowledge/sources", { type: "document", name: "Manuals" });
      s.ids.source = (await json(res)).id;
      return res;
    },
  },
  {
    route: "PATCH /api/v1/knowledge/sources/{id}",
    action: "knowledge_source.update",
    call: (s) => s.admin.patch(`/api/v1/knowledge/sources/${s.ids.source}`, { name: "Shop manuals" }),
  },
  {
    route: "POST /api/v1/knowledge/sources/{id}/text",
    action: "document.create",
    call: async (s) => {
      const res = await s.admin.post(`/api/v1/knowledge/sources/${s.ids.source}/text`, {
        title: "Opening hours",
        content: "We open at 8 and close at 18.",
      });
      s.ids.document = (await json(res)).id;
      return res;
    },
  },
  {
    route: "POST /api/v1/knowledge/sources/{id}/documents",
    action: "document.upload",
    call: (s) => {
      const data = new FormData();
      data.append("files", new Blob([new TextEncoder().encode("Delivery is free above 500 baht.")]), "delivery.txt");
      return s.admin.request("POST", `/api/v1/knowledge/sources/${s.ids.source}/documents`, data);
    },
  },
  {
    route: "PATCH /api/v1/knowledge/documents/{id}",
    action: "document.update",
    call: (s) => s.admin.patch(`/api/v1/knowledge/documents/${s.ids.document}`, { title: "Hours" }),
  },
  {
    route: "POST /api/v1/knowledge/documents/{id}/reingest",
    action: "document.reingest",
    call: (s) => s.admin.post(`/api/v1/knowledge/documents/${s.ids.document}/reingest`),
  },
  {
    route: "DELETE /api/v1/knowledge/documents/{id}",
    action: "document.delete",
    call: (s) => s.admin.delete(`/api/v1/knowledge/documents/${s.ids.document}`),
  },
  {
    route: "POST /api/v1/knowledge/sources/{id}/sync",
    action: "knowledge_source.sync",
    call: (s) => s.admin.post(`/api/v1/knowledge/sources/${s.ids.source}/sync`),
  },
  {
    route: "DELETE /api/v1/knowledge/sources/{id}",
    action: "knowledge_source.delete",
    call: (s) => s.admin.delete(`/api/v1/knowledge/sources/${s.ids.source}`),
  },
  {
    route: "POST /api/v1/knowledge/sources/{id}/faq",
    action: "faq_entry.create",
    call: async (s) => {
      const source = await json(await s.admin.post("/api/v1/knowledge/sources", { type: "faq", name: "FAQ" }));
      s.ids.faqSource = source.id;
      const res = await s.admin.post(`/api/v1/knowledge/sources/${source.id}/faq`, {
        question: "Do you deliver?",
        answer: "Yes, in town.",
      });
      s.ids.faq = (await json(res)).id;
      return res;
    },
  },
  {
    route: "PATCH /api/v1/knowledge/faq/{id}",
    action: "faq_entry.update",
    call: (s) => s.admin.patch(`/api/v1/knowledge/faq/${s.ids.faq}`, { answer: "Yes, within 10 km." }),
  },
  {
    route: "DELETE /api/v1/knowledge/faq/{id}",
    action: "faq_entry.delete",
    call: (s) => s.admin.delete(`/api/v1/knowledge/faq/${s.ids.faq}`),
  },
  {
    route: "POST /api/v1/knowledge/sources/{id}/faq/import",
    action: "faq_entry.import",
    call: (s) =>
      s.admin.request(
        "POST",
        `/api/v1/knowledge/sources/${s.ids.faqSource}/faq/import`,
        faqForm("question,answer\nOpen on Sunday?,Yes\n"),
      ),
  },
  // Integrations
  {
    route: "POST /api/v1/integrations/shopify/connect",
    action: "shopify_store.connect",
    call: async (s) => {
      const domain = `audit-${hex(4)}.myshopify.com`;
      simulator.shopify.state.addShop({ domain, name: "Audit Apparel" });
      const shopApp = simulator.shopify.state.addApp({ clientId: hex(16), clientSecret: hex(16) });
      const token = simulator.shopify.state.issueToken({ shop: domain, clientId: shopApp.clientId }, "seeded").token;
      const res = await s.admin.post("/api/v1/integrations/shopify/connect", {
        method: "access_token",
        shopDomain: domain,
        accessToken: token,
      });
      s.ids.shopifyStore = (await json(res)).id;
      return res;
    },
  },
  {
    route: "DELETE /api/v1/integrations/shopify/{id}",
    action: "shopify_store.disconnect",
    call: (s) => s.admin.delete(`/api/v1/integrations/shopify/${s.ids.shopifyStore}`),
  },
  {
    route: "DELETE /api/v1/chatbots/{chatbotId}",
    action: "chatbot.delete",
    call: (s) => s.admin.delete(`/api/v1/chatbots/${s.ids.chatbot}`),
  },
];

describe("audit rows for every settings route", () => {
  it("has a case, or a reason it changes nothing, for every mutating settings route", async () => {
    const doc = await (await app.request("/api/v1/openapi.json")).json();
    const routes: string[] = [];
    for (const [path, operations] of Object.entries(
      doc.paths as Record<string, Record<string, { "x-permission"?: string }>>,
    )) {
      for (const [method, op] of Object.entries(operations)) {
        if (!["post", "put", "patch", "delete"].includes(method)) continue;
        if (!SETTINGS_PERMISSIONS.includes(op["x-permission"] ?? "")) continue;
        routes.push(`${method.toUpperCase()} ${path}`);
      }
    }
    const covered = new Set([...CASES.map((c) => c.route), ...Object.keys(CHANGE_NOTHING)]);
    expect(routes.filter((r) => !covered.has(r))).toEqual([]);
    // And no case names a route that no longer exists.
    expect([...covered].filter((r) => !routes.includes(r))).toEqual([]);
    expect(routes.length).toBeGreaterThan(40);
  });

  it("writes an audit row by the admin, in the admin's workspace, for each of them", async () => {
    const ws = await createSignInWorkspace(runtime);
    const admin = new TestClient(app);
    expect((await admin.signIn(ws.admin.user.email, TEST_PASSWORD)).status).toBe(200);
    const chatbot = await json(await admin.post("/api/v1/chatbots", { name: "Main bot" }));
    const state: State = { ws, admin, chatbotId: chatbot.id, ids: {} };
    const rowsOf = (action: string) =>
      runtime.database.db
        .select({ id: auditLogs.id, actorUserId: auditLogs.actorUserId })
        .from(auditLogs)
        .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, action)));

    const missing: string[] = [];
    for (const c of CASES) {
      const before = new Set((await rowsOf(c.action)).map((r) => r.id));
      const res = await c.call(state);
      if (res.status >= 300) {
        missing.push(`${c.route} answered ${res.status}: ${await res.text()}`);
        continue;
      }
      const added = (await rowsOf(c.action)).filter((r) => !before.has(r.id));
      if (added.length === 0) missing.push(`${c.route} wrote no ${c.action}`);
      if (added.some((r) => r.actorUserId !== ws.admin.user.id)) missing.push(`${c.route}: not by the admin`);
    }
    expect(missing).toEqual([]);
  });
});
