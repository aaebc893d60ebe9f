/**
 * Channels API against the Graph simulator over real HTTP: manual and OAuth connection, subscription,
 * disconnection, token expiry (error 190) and the audit trail — with no token ever leaving the server.
 */
import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { markReconnectNeeded, type Runtime } from "@tandem/core";
import { auditLogs, channels, inboundEvents } from "@tandem/db";
import { createChatbot } from "@tandem/db/testing";
import {
  createSimulator,
  type GraphCall,
  messengerWebhook,
  serializeLikeMeta,
  signMessengerBody,
  textEvent,
} from "@tandem/simulator";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

const APP_ID = "1234567890123";
const APP_SECRET = "sim-app-secret-0123456789";
const simulator = createSimulator({ graph: { appId: APP_ID, appSecret: APP_SECRET } });
const state = simulator.graph.state;
let server: ReturnType<typeof serve>;
let runtime: Runtime;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  runtime = await createTestRuntime({ FB_APP_ID: APP_ID, FB_APP_SECRET: APP_SECRET });
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  });
  runtime.config.facebook.graphApiUrl = `http://127.0.0.1:${port}/graph`;
  app = createApp(runtime);
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
});

const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join("");

function newPage(name = "Sim Page") {
  return state.addPage({ id: `1${digits(14)}`, name, accessToken: `EAAPAGE${randomBytes(24).toString("base64url")}` });
}

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function adminOfNewWorkspace() {
  const ws = await createSignInWorkspace(runtime);
  const bot = await createChatbot(runtime.database.db, { workspaceId: ws.workspace.id, isDefault: true });
  return { ws, bot, admin: await signedIn(ws.admin.user.email) };
}

const callsSince = (seq: number, filter: (c: GraphCall) => boolean = () => true) =>
  simulator.graph.calls.filter((c) => c.seq > seq && filter(c));
const lastSeq = () => simulator.graph.calls.at(-1)?.seq ?? 0;

async function auditOf(workspaceId: string) {
  return runtime.database.db.select().from(auditLogs).where(eq(auditLogs.workspaceId, workspaceId));
}

async function rowOf(channelId: string) {
  const [row] = await runtime.database.db.select().from(channels).where(eq(channels.id, channelId));
  return row!;
}

describe("connecting a Page by id and token", () => {
  it("checks the token, stores it encrypted, subscribes the app and audits without the token", async () => {
    const { ws, bot, admin } = await adminOfNewWorkspace();
    const page = newPage("Corner Bakery");
    const seq = lastSeq();

    const res = await admin.post("/api/v1/channels/messenger/connect", {
      pageId: page.id,
      pageAccessToken: page.accessToken,
    });
    expect(res.status).toBe(201);
    const channel = await res.json();
    expect(channel).toMatchObject({
      type: "messenger",
      name: "Corner Bakery",
      externalId: page.id,
      chatbotId: bot.id,
      status: "active",
      statusReason: null,
      subscribed: true,
      secretHints: { pageAccessToken: `••••${page.accessToken.slice(-4)}` },
    });
    expect(channel.subscribedFields).toEqual(expect.arrayContaining(["messages", "message_echoes", "message_reads"]));
    expect(JSON.stringify(channel)).not.toContain(page.accessToken);

    // The simulator saw the token check and the subscription with the Page token.
    const calls = callsSince(seq);
    expect(calls.map((c) => `${c.method} ${c.path.replace(/^\/v\d+\.\d+/, "")}`)).toEqual(
      expect.arrayContaining([`GET /${page.id}`, "GET /me", `POST /${page.id}/subscribed_apps`]),
    );
    const subscribe = calls.find((c) => c.method === "POST" && c.path.endsWith("/subscribed_apps"));
    expect(subscribe?.auth.pageId).toBe(page.id);
    expect(state.pages.get(page.id)?.subscribedFields).toEqual(channel.subscribedFields);

    const row = await rowOf(channel.id);
    expect(row.secretsEncrypted).not.toContain(page.accessToken);
    expect(JSON.parse(runtime.keyring.decrypt(row.secretsEncrypted!))).toEqual({ pageAccessToken: page.accessToken });

    const audit = await auditOf(ws.workspace.id);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["channel.connect", "channel.subscribe"]));
    expect(audit.find((a) => a.action === "channel.connect")).toMatchObject({
      actorUserId: ws.admin.user.id,
      entityId: channel.id,
    });
    expect(JSON.stringify(audit)).not.toContain(page.accessToken);

    const list = await (await admin.get("/api/v1/channels")).json();
    expect(list).toMatchObject({ data: [expect.objectContaining({ id: channel.id })], nextCursor: null });
    expect((await admin.get(`/api/v1/channels/${channel.id}`)).status).toBe(200);
  });

  it("rejects an invalid token, and another Page's token, with Facebook's reason; nothing is stored", async () => {
    const { ws, admin } = await adminOfNewWorkspace();
    const page = newPage();
    const other = newPage();

    const bad = await admin.post("/api/v1/channels/messenger/connect", {
      pageId: page.id,
      pageAccessToken: "EAAnot-a-real-token-000",
    });
    expect(bad.status).toBe(400);
    const badBody = await bad.json();
    expect(badBody.error.code).toBe("invalid_page_token");
    expect(badBody.error.message).toContain("Invalid OAuth access token");

    const wrong = await admin.post("/api/v1/channels/messenger/connect", {
      pageId: page.id,
      pageAccessToken: other.accessToken,
    });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error.code).toBe("invalid_page_token");

    expect((await (await admin.get("/api/v1/channels")).json()).data).toEqual([]);
    expect(state.pages.get(page.id)?.subscribedFields).toBeNull();
    expect((await auditOf(ws.workspace.id)).filter((r) => r.action !== "user.sign_in")).toEqual([]);
  });

  it("refuses a Page connected to another workspace (409); the same workspace reconnects it", async () => {
    const first = await adminOfNewWorkspace();
    const second = await adminOfNewWorkspace();
    const page = newPage();
    const input = { pageId: page.id, pageAccessToken: page.accessToken };
    const connected = await (await first.admin.post("/api/v1/channels/messenger/connect", input)).json();

    const elsewhere = await second.admin.post("/api/v1/channels/messenger/connect", input);
    expect(elsewhere.status).toBe(409);
    expect((await elsewhere.json()).error.code).toBe("page_already_connected");

    // Reconnecting with a new token replaces it and clears "reconnect needed".
    await markReconnectNeeded(runtime.database.db, connected.id, "Error validating access token");
    state.addPage({ ...page, accessToken: `EAANEW${randomBytes(20).toString("base64url")}` });
    const fresh = state.pages.get(page.id)!.accessToken;
    const again = await first.admin.post("/api/v1/channels/messenger/connect", {
      pageId: page.id,
      pageAccessToken: fresh,
      pageName: "Renamed Page",
    });
    expect(again.status).toBe(201);
    expect(await again.json()).toMatchObject({
      id: connected.id,
      name: "Renamed Page",
      status: "active",
      statusReason: null,
      secretHints: { pageAccessToken: `••••${fresh.slice(-4)}` },
    });
    const row = await rowOf(connected.id);
    expect(JSON.parse(runtime.keyring.decrypt(row.secretsEncrypted!)).pageAccessToken).toBe(fresh);
  });

  it("uses the chatbot given instead of the default one, and 404s another workspace's chatbot", async () => {
    const { ws, admin } = await adminOfNewWorkspace();
    const other = await adminOfNewWorkspace();
    const chosen = await createChatbot(runtime.database.db, { workspaceId: ws.workspace.id });
    const page = newPage();
    const res = await admin.post("/api/v1/channels/messenger/connect", {
      pageId: page.id,
      pageAccessToken: page.accessToken,
      chatbotId: chosen.id,
    });
    expect((await res.json()).chatbotId).toBe(chosen.id);
    const second = newPage();
    const foreign = await admin.post("/api/v1/channels/messenger/connect", {
      pageId: second.id,
      pageAccessToken: second.accessToken,
      chatbotId: other.bot.id,
    });
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).error.code).toBe("chatbot_not_found");
  });
});

describe("connecting Pages with Facebook Login", () => {
  /** Follows start → the simulator's dialog → back to the callback, like a browser. */
  async function login(admin: TestClient) {
    const start = await admin.get("/api/v1/channels/messenger/oauth/start");
    expect(start.status).toBe(302);
    const dialog = new URL(start.headers.get("location")!);
    expect(dialog.searchParams.get("client_id")).toBe(APP_ID);
    expect(dialog.searchParams.get("redirect_uri")).toBe(
      "http://localhost:3000/api/v1/channels/messenger/oauth/callback",
    );
    expect(dialog.searchParams.get("scope")).toBe("pages_show_list,pages_messaging,pages_manage_metadata");
    const back = await fetch(dialog, { redirect: "manual" });
    expect(back.status).toBe(302);
    const callback = new URL(back.headers.get("location")!);
    return { dialog, callback };
  }

  it("logs in, lists the Pages without tokens, and connects the chosen ones", async () => {
    const { ws, admin } = await adminOfNewWorkspace();
    const pageA = newPage("Shop A");
    const pageB = newPage("Shop B");
    const { callback } = await login(admin);
    expect(callback.searchParams.get("code")).toBeTruthy();

    const done = await admin.get(`${callback.pathname}${callback.search}`);
    expect(done.status).toBe(302);
    const settings = new URL(done.headers.get("location")!);
    expect(`${settings.origin}${settings.pathname}`).toBe("http://localhost:3000/settings/channels");
    const oauth = settings.searchParams.get("oauth")!;
    expect(oauth).toBeTruthy();
    // The Login result is kept encrypted: neither the user token nor a Page token shows in the cookie.
    const setCookies = done.headers.getSetCookie().join("\n");
    expect(setCookies).toMatch(/tandem_fb_oauth=enc%3Av1|tandem_fb_oauth=enc:v1/);
    expect(setCookies).toMatch(/HttpOnly/i);
    for (const token of state.userTokens.keys()) expect(setCookies).not.toContain(token);
    expect(setCookies).not.toContain(pageA.accessToken);

    const pagesRes = await admin.get(`/api/v1/channels/messenger/oauth/pages?oauth=${oauth}`);
    expect(pagesRes.status).toBe(200);
    const pages = await pagesRes.json();
    expect(pages.data).toEqual(
      expect.arrayContaining([
        { id: pageA.id, name: "Shop A", connected: false },
        { id: pageB.id, name: "Shop B", connected: false },
      ]),
    );
    expect(JSON.stringify(pages)).not.toContain("access_token");
    expect(JSON.stringify(pages)).not.toContain(pageA.accessToken);

    const connect = await admin.post("/api/v1/channels/messenger/oauth/connect", {
      oauth,
      pageIds: [pageA.id, "999999999999"],
    });
    expect(connect.status).toBe(200);
    const result = await connect.json();
    expect(result.data).toEqual([
      expect.objectContaining({ externalId: pageA.id, name: "Shop A", status: "active", subscribed: true }),
    ]);
    expect(result.errors).toEqual([expect.objectContaining({ pageId: "999999999999", code: "page_not_found" })]);
    expect(state.pages.get(pageA.id)?.subscribedFields).not.toBeNull();
    expect(state.pages.get(pageB.id)?.subscribedFields).toBeNull();
    const row = await rowOf(result.data[0].id);
    expect(JSON.parse(runtime.keyring.decrypt(row.secretsEncrypted!)).pageAccessToken).toBe(pageA.accessToken);

    const after = await (await admin.get(`/api/v1/channels/messenger/oauth/pages?oauth=${oauth}`)).json();
    expect(after.data).toEqual(expect.arrayContaining([{ id: pageA.id, name: "Shop A", connected: true }]));
    expect(JSON.stringify(await auditOf(ws.workspace.id))).not.toContain(pageA.accessToken);
  });

  it("answers 400 to a state that was tampered with or belongs to another session", async () => {
    const { ws, admin } = await adminOfNewWorkspace();
    const { callback } = await login(admin);

    const tampered = new URL(callback);
    const [nonce] = tampered.searchParams.get("state")!.split(".");
    tampered.searchParams.set("state", `${nonce}.forged-mac`);
    const res = await admin.get(`${tampered.pathname}${tampered.search}`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("oauth_state_mismatch");

    // The same valid callback URL in another signed-in session of the workspace (login CSRF).
    const owner = await signedIn(ws.owner.user.email);
    const stolen = await owner.get(`${callback.pathname}${callback.search}`);
    expect(stolen.status).toBe(400);
    expect((await stolen.json()).error.code).toBe("oauth_state_mismatch");

    // The rightful session still completes, and another session cannot read its result.
    const ok = await admin.get(`${callback.pathname}${callback.search}`);
    expect(ok.status).toBe(302);
    const oauth = new URL(ok.headers.get("location")!).searchParams.get("oauth");
    const foreign = await owner.get(`/api/v1/channels/messenger/oauth/pages?oauth=${oauth}`);
    expect(foreign.status).toBe(400);
    expect((await foreign.json()).error.code).toBe("oauth_session_expired");
  });

  it("asks for the Login for Business configuration instead of scopes when FB_LOGIN_CONFIG_ID is set", async () => {
    const { admin } = await adminOfNewWorkspace();
    runtime.config.facebook.loginConfigId = "771234567890123";
    try {
      const start = await admin.get("/api/v1/channels/messenger/oauth/start");
      expect(start.status).toBe(302);
      const dialog = new URL(start.headers.get("location")!);
      expect(dialog.searchParams.get("config_id")).toBe("771234567890123");
      expect(dialog.searchParams.get("response_type")).toBe("code");
      expect(dialog.searchParams.get("override_default_response_type")).toBe("true");
      expect(dialog.searchParams.has("scope")).toBe(false);

      // The simulator's dialog accepts that form too, and the flow completes as with scopes.
      const back = await fetch(dialog, { redirect: "manual" });
      expect(back.status).toBe(302);
      const callback = new URL(back.headers.get("location")!);
      expect(callback.searchParams.get("code")).toBeTruthy();
      const done = await admin.get(`${callback.pathname}${callback.search}`);
      expect(done.status).toBe(302);
      expect(new URL(done.headers.get("location")!).searchParams.get("oauth")).toBeTruthy();
    } finally {
      runtime.config.facebook.loginConfigId = undefined;
    }
  });

  it("goes back to the settings page with the reason when the person cancels", async () => {
    const { admin } = await adminOfNewWorkspace();
    state.denyNextOAuth = true;
    const { callback } = await login(admin);
    expect(callback.searchParams.get("error")).toBe("access_denied");
    const res = await admin.get(`${callback.pathname}${callback.search}`);
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location")!).searchParams.get("oauthError")).toBe("oauth_denied");
  });
});

describe("subscription, disconnection and token expiry", () => {
  async function connected() {
    const ctx = await adminOfNewWorkspace();
    const page = newPage();
    const res = await ctx.admin.post("/api/v1/channels/messenger/connect", {
      pageId: page.id,
      pageAccessToken: page.accessToken,
    });
    expect(res.status).toBe(201);
    return { ...ctx, page, channel: await res.json() };
  }

  it("unsubscribes and subscribes again, storing the state and calling subscribed_apps", async () => {
    const { ws, admin, page, channel } = await connected();
    const seq = lastSeq();

    const off = await admin.post(`/api/v1/channels/${channel.id}/unsubscribe`);
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ subscribed: false, subscribedFields: [] });
    expect(state.pages.get(page.id)?.subscribedFields).toBeNull();

    const on = await admin.post(`/api/v1/channels/${channel.id}/subscribe`);
    expect(on.status).toBe(200);
    expect((await on.json()).subscribed).toBe(true);
    expect(state.pages.get(page.id)?.subscribedFields).toEqual(expect.arrayContaining(["messages"]));

    const calls = callsSince(seq, (c) => c.path.endsWith(`/${page.id}/subscribed_apps`));
    expect(calls.map((c) => c.method)).toEqual(["DELETE", "POST"]);
    expect(calls.every((c) => c.auth.pageId === page.id)).toBe(true);
    const actions = (await auditOf(ws.workspace.id)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["channel.unsubscribe", "channel.subscribe"]));
  });

  it("disconnects: unsubscribes, wipes the token, keeps the row; the Page can move to another workspace", async () => {
    const { ws, admin, page, channel } = await connected();
    expect((await admin.delete(`/api/v1/channels/${channel.id}`)).status).toBe(204);
    expect(state.pages.get(page.id)?.subscribedFields).toBeNull();

    expect((await (await admin.get("/api/v1/channels")).json()).data).toEqual([]);
    const shown = await (await admin.get(`/api/v1/channels/${channel.id}`)).json();
    expect(shown).toMatchObject({ status: "disconnected", subscribed: false, secretHints: {} });
    const listed = await (await admin.get("/api/v1/channels?includeDisconnected=true")).json();
    expect(listed.data.map((c: { id: string }) => c.id)).toEqual([channel.id]);
    const row = await rowOf(channel.id);
    expect(row.secretsEncrypted).toBeNull();
    expect(row.disconnectedAt).toBeInstanceOf(Date);

    const audit = await auditOf(ws.workspace.id);
    expect(audit.find((a) => a.action === "channel.disconnect")).toMatchObject({ entityId: channel.id });
    expect(JSON.stringify(audit)).not.toContain(page.accessToken);
    expect((await admin.delete(`/api/v1/channels/${channel.id}`)).status).toBe(204);
    expect((await admin.post(`/api/v1/channels/${channel.id}/subscribe`)).status).toBe(400);

    const other = await adminOfNewWorkspace();
    const moved = await other.admin.post("/api/v1/channels/messenger/connect", {
      pageId: page.id,
      pageAccessToken: page.accessToken,
    });
    expect(moved.status).toBe(201);
  });

  it("marks the channel reconnect_needed when Facebook answers 190, visible in the channels API", async () => {
    const { ws, admin, page, channel } = await connected();
    // The Page's token is revoked on Facebook's side.
    state.addPage({ ...page, accessToken: `EAAREVOKED${randomBytes(16).toString("base64url")}` });

    const res = await admin.post(`/api/v1/channels/${channel.id}/unsubscribe`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("reconnect_needed");

    const list = await (await admin.get("/api/v1/channels")).json();
    expect(list.data).toEqual([
      expect.objectContaining({
        id: channel.id,
        status: "reconnect_needed",
        statusReason: expect.stringContaining("Invalid OAuth access token"),
      }),
    ]);
    // Audited once, by the system, when the status flips.
    expect((await admin.post(`/api/v1/channels/${channel.id}/subscribe`)).status).toBe(400);
    const flips = (await auditOf(ws.workspace.id)).filter((a) => a.action === "channel.reconnect_needed");
    expect(flips).toEqual([
      expect.objectContaining({
        actorType: "system",
        entityId: channel.id,
        after: expect.objectContaining({ status: "reconnect_needed" }),
      }),
    ]);
    // Disconnecting still works without a usable token.
    expect((await admin.delete(`/api/v1/channels/${channel.id}`)).status).toBe(204);
  });

  it("keeps channels to their workspace and to owners and admins", async () => {
    const { ws, channel } = await connected();
    const stranger = await adminOfNewWorkspace();
    expect((await stranger.admin.get(`/api/v1/channels/${channel.id}`)).status).toBe(404);
    expect((await stranger.admin.post(`/api/v1/channels/${channel.id}/subscribe`)).status).toBe(404);
    expect((await stranger.admin.delete(`/api/v1/channels/${channel.id}`)).status).toBe(404);
    expect((await rowOf(channel.id)).disconnectedAt).toBeNull();

    const agent = await signedIn(ws.agent.user.email);
    expect((await agent.get("/api/v1/channels")).status).toBe(403);
    expect((await agent.get("/api/v1/channels/messenger/oauth/start")).status).toBe(403);
    expect((await agent.delete(`/api/v1/channels/${channel.id}`)).status).toBe(403);
    const [row] = await runtime.database.db
      .select()
      .from(channels)
      .where(and(eq(channels.id, channel.id), eq(channels.workspaceId, ws.workspace.id)));
    expect(row?.status).toBe("active");
  });
});

describe("webhook health", () => {
  /** A signed webhook for a Page, through the app as Meta would send it (no job queue here: stored only). */
  async function deliver(pageId: string, events: number) {
    const body = serializeLikeMeta(
      messengerWebhook(
        Array.from({ length: events }, (_, i) => textEvent({ pageId, psid: `9${digits(12)}`, text: `hello ${i}` })),
      ),
    );
    const res = await app.request("http://localhost:3000/api/webhooks/messenger", {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signMessengerBody(APP_SECRET, body) },
      body,
    });
    expect(res.status).toBe(200);
  }

  it("lists a Page that sends events without a connected channel to the workspace it was connected to, until reconnected", async () => {
    const { ws, admin } = await adminOfNewWorkspace();
    const other = await adminOfNewWorkspace();
    const stray = newPage("Stray Page");
    const first = await admin.post("/api/v1/channels/messenger/connect", {
      pageId: stray.id,
      pageAccessToken: stray.accessToken,
    });
    expect(first.status).toBe(201);
    expect((await admin.delete(`/api/v1/channels/${(await first.json()).id}`)).status).toBe(204);
    await deliver(stray.id, 2);
    await deliver(stray.id, 1);

    const res = await admin.get("/api/v1/channels/messenger/webhook");
    expect(res.status).toBe(200);
    const setup = await res.json();
    expect(setup).toMatchObject({
      callbackUrl: `${runtime.config.appUrl}/api/webhooks/messenger`,
      appSecretConfigured: true,
      appIdConfigured: true,
      verifyTokenConfigured: false,
    });
    expect(setup.unconnectedPages).toContainEqual({ pageId: stray.id, events: 3, lastEventAt: expect.any(String) });
    // Another workspace of the installation is not told about this Page or its traffic.
    const elsewhere = await (await other.admin.get("/api/v1/channels/messenger/webhook")).json();
    expect(elsewhere.unconnectedPages.map((p: { pageId: string }) => p.pageId)).not.toContain(stray.id);

    const connected = await admin.post("/api/v1/channels/messenger/connect", {
      pageId: stray.id,
      pageAccessToken: stray.accessToken,
    });
    expect(connected.status).toBe(201);
    const after = await (await admin.get("/api/v1/channels/messenger/webhook")).json();
    expect(after.unconnectedPages.map((p: { pageId: string }) => p.pageId)).not.toContain(stray.id);

    const agent = await signedIn(ws.agent.user.email);
    expect((await agent.get("/api/v1/channels/messenger/webhook")).status).toBe(403);
  });

  it("lists a Page nobody ever connected to no workspace, unless the installation has only one", async () => {
    const { admin } = await adminOfNewWorkspace();
    await adminOfNewWorkspace();
    const stray = newPage("Never Connected");
    await deliver(stray.id, 1);
    const shared = await (await admin.get("/api/v1/channels/messenger/webhook")).json();
    expect(shared.unconnectedPages.map((p: { pageId: string }) => p.pageId)).not.toContain(stray.id);

    // A single-workspace installation: every unconnected Page is that workspace's to claim.
    const alone = await createTestRuntime({ FB_APP_ID: APP_ID, FB_APP_SECRET: APP_SECRET });
    try {
      const aloneApp = createApp(alone);
      const ws = await createSignInWorkspace(alone);
      const client = new TestClient(aloneApp);
      expect((await client.signIn(ws.admin.user.email, TEST_PASSWORD)).status).toBe(200);
      const body = serializeLikeMeta(
        messengerWebhook([textEvent({ pageId: stray.id, psid: `9${digits(12)}`, text: "hi" })]),
      );
      const delivered = await aloneApp.request("http://localhost:3000/api/webhooks/messenger", {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": signMessengerBody(APP_SECRET, body) },
        body,
      });
      expect(delivered.status).toBe(200);
      await expect
        .poll(async () => (await (await client.get("/api/v1/channels/messenger/webhook")).json()).unconnectedPages)
        .toContainEqual({ pageId: stray.id, events: 1, lastEventAt: expect.any(String) });
    } finally {
      await alone.close();
    }
  });

  it("reports the last day's failed events with the latest reason, and the latest event processed", async () => {
    const { admin } = await adminOfNewWorkspace();
    const page = newPage();
    const channel = await (
      await admin.post("/api/v1/channels/messenger/connect", { pageId: page.id, pageAccessToken: page.accessToken })
    ).json();
    expect(channel.webhook).toMatchObject({ recentFailures: 0, lastFailure: null, lastProcessedAt: null });

    const db = runtime.database.db;
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
    const entry = (status: "failed" | "processed", receivedAt: Date, error: string | null = null) => ({
      channelId: channel.id,
      source: "messenger" as const,
      externalId: page.id,
      payload: { id: page.id, time: receivedAt.getTime(), messaging: [] },
      signatureOk: true,
      status,
      error,
      receivedAt,
    });
    const [row] = await db.select().from(channels).where(eq(channels.id, channel.id));
    await db.insert(inboundEvents).values([
      { ...entry("failed", ago(60 * 30), "too old to count"), workspaceId: row!.workspaceId },
      { ...entry("failed", ago(30), "Error: database unavailable"), workspaceId: row!.workspaceId },
      { ...entry("failed", ago(20), "Error: connection reset"), workspaceId: row!.workspaceId },
      { ...entry("processed", ago(10)), workspaceId: row!.workspaceId },
    ]);

    const { webhook } = await (await admin.get(`/api/v1/channels/${channel.id}`)).json();
    expect(webhook.recentFailures).toBe(2);
    expect(webhook.lastFailure).toEqual({ at: expect.any(String), message: "Error: connection reset" });
    expect(new Date(webhook.lastProcessedAt).getTime()).toBeGreaterThan(new Date(webhook.lastFailure.at).getTime());
    const list = await (await admin.get("/api/v1/channels")).json();
    expect(list.data[0].webhook).toEqual(webhook);
  });
});
