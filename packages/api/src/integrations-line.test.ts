/**
 * LINE integration API against the fake LINE platform over real HTTP: configuring a chatbot's LINE
 * channel (token checked with bot info, secrets encrypted, never returned), its status with live
 * checks that fail one by one, setting the webhook URL on LINE and LINE's own webhook test posting
 * to a local listener, roles, workspaces and the audit trail.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Runtime, verifyLineSignature } from "@tandem/core";
import { auditLogs, channels } from "@tandem/db";
import { createChatbot } from "@tandem/db/testing";
import { createSimulator } from "@tandem/simulator";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

const simulator = createSimulator();
const line = simulator.line;
let server: ReturnType<typeof serve>;
let runtime: Runtime;
let app: ReturnType<typeof createApp>;

/** Stands in for this server's public address when LINE tests the webhook URL. */
let listener: Server;
let listenerUrl: string;
let listenerStatus = 200;
const received: { path: string; signature: string | undefined; body: string }[] = [];

beforeAll(async () => {
  runtime = await createTestRuntime();
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  });
  runtime.config.lineApiUrl = `http://127.0.0.1:${port}/line/api`;
  runtime.config.lineDataApiUrl = `http://127.0.0.1:${port}/line/data`;
  listener = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({
      path: req.url ?? "",
      signature: req.headers["x-line-signature"] as string | undefined,
      body: Buffer.concat(chunks).toString("utf8"),
    });
    res.writeHead(listenerStatus).end();
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
  app = createApp(runtime);
});

afterEach(() => {
  line.state.faults.length = 0;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => listener.close(resolve));
  await runtime.close();
});

const hex = (bytes: number) => randomBytes(bytes).toString("hex");
const digits = (n: number) => Array.from(randomBytes(n), (b) => String(b % 10)).join("");

/** A LINE Official Account on the fake platform. */
function newLineAccount(name = "Corner Bakery") {
  return line.state.addChannel({
    channelId: `2${digits(9)}`,
    channelSecret: hex(16),
    channelAccessToken: `lineToken${randomBytes(30).toString("base64url")}`,
    userId: `U${hex(16)}`,
    basicId: `@${hex(4)}`,
    displayName: name,
  });
}

const credentials = (account: ReturnType<typeof newLineAccount>) => ({
  channelId: account.channelId,
  channelSecret: account.channelSecret,
  channelAccessToken: account.channelAccessToken,
});

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

const lineUrl = (chatbotId: string, what: string) => `/api/v1/integrations/line/${chatbotId}/${what}`;

async function rowOf(channelId: string) {
  const [row] = await runtime.database.db.select().from(channels).where(eq(channels.id, channelId));
  return row!;
}

async function auditOf(workspaceId: string) {
  return runtime.database.db.select().from(auditLogs).where(eq(auditLogs.workspaceId, workspaceId));
}

/** No secret of `account` anywhere in `value`. */
function expectNoSecrets(value: unknown, account: { channelSecret: string; channelAccessToken: string }) {
  const text = JSON.stringify(value);
  expect(text).not.toContain(account.channelSecret);
  expect(text).not.toContain(account.channelAccessToken);
}

describe("configuring a chatbot's LINE channel", () => {
  it("checks the token with bot info, stores the secrets encrypted, lists the channel, audits, and never returns a secret", async () => {
    const { ws, bot, admin } = await adminOfNewWorkspace();
    const account = newLineAccount("Corner Bakery");
    const before = line.calls.length;

    const res = await admin.put(lineUrl(bot.id, "config"), credentials(account));
    expect(res.status).toBe(200);
    const channel = await res.json();
    expect(channel).toMatchObject({
      type: "line",
      name: "Corner Bakery",
      externalId: account.userId,
      chatbotId: bot.id,
      status: "active",
      secretHints: {
        channelSecret: `••••${account.channelSecret.slice(-4)}`,
        channelAccessToken: `••••${account.channelAccessToken.slice(-4)}`,
      },
    });
    expectNoSecrets(channel, account);
    expect(line.calls.slice(before).map((c) => `${c.method} ${c.path}`)).toEqual(["GET /v2/bot/info"]);

    const row = await rowOf(channel.id);
    expect(row.config).toMatchObject({ channelId: account.channelId, basicId: account.basicId });
    expect(row.secretsEncrypted).not.toContain(account.channelSecret);
    expect(JSON.parse(runtime.keyring.decrypt(row.secretsEncrypted!))).toEqual({
      channelSecret: account.channelSecret,
      channelAccessToken: account.channelAccessToken,
    });

    const list = await (await admin.get("/api/v1/channels")).json();
    expect(list.data).toEqual([expect.objectContaining({ id: channel.id, type: "line", name: "Corner Bakery" })]);
    const bots = await (await admin.get("/api/v1/integrations/line")).json();
    expect(bots.data).toEqual([
      expect.objectContaining({
        chatbotId: bot.id,
        isDefault: true,
        channel: expect.objectContaining({ id: channel.id }),
      }),
    ]);
    expectNoSecrets([list, bots], account);

    const audit = await auditOf(ws.workspace.id);
    expect(audit.find((a) => a.action === "channel.connect")).toMatchObject({
      actorUserId: ws.admin.user.id,
      entityId: channel.id,
      after: expect.objectContaining({ lineChannelId: account.channelId, botUserId: account.userId }),
    });
    expectNoSecrets(audit, account);
  });

  it("refuses a token LINE rejects (401) with a clear error, and stores nothing", async () => {
    const { ws, bot, admin } = await adminOfNewWorkspace();
    const account = newLineAccount();
    const res = await admin.put(lineUrl(bot.id, "config"), {
      ...credentials(account),
      channelAccessToken: "not-a-token-line-knows",
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("invalid_line_token");
    expect(body.error.message).toMatch(/LINE rejected the channel access token/);
    expect(await runtime.database.db.select().from(channels).where(eq(channels.workspaceId, ws.workspace.id))).toEqual(
      [],
    );
    expect((await auditOf(ws.workspace.id)).filter((a) => a.action.startsWith("channel."))).toEqual([]);
  });

  it("validates the credentials' format with readable errors, before calling LINE", async () => {
    const { bot, admin } = await adminOfNewWorkspace();
    const account = newLineAccount();
    const before = line.calls.length;
    const res = await admin.put(lineUrl(bot.id, "config"), {
      channelId: "my-channel",
      channelSecret: "not-hex",
      channelAccessToken: "x".repeat(1001),
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("invalid_input");
    const byPath = Object.fromEntries(
      body.error.details.map((d: { path: string; message: string }) => [d.path, d.message]),
    );
    expect(byPath.channelId).toMatch(/numeric Channel ID/);
    expect(byPath.channelSecret).toMatch(/32 hexadecimal characters/);
    expect(byPath.channelAccessToken).toMatch(/at most 1,000 characters/);

    const missing = await admin.put(lineUrl(bot.id, "config"), { channelId: account.channelId });
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.code).toBe("line_credentials_required");
    expect(line.calls.length).toBe(before);
  });

  it("answers 404 for another workspace's chatbot and 403 for an AGENT", async () => {
    const { ws, admin } = await adminOfNewWorkspace();
    const other = await adminOfNewWorkspace();
    const account = newLineAccount();

    const foreign = await admin.put(lineUrl(other.bot.id, "config"), credentials(account));
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).error.code).toBe("chatbot_not_found");
    expect((await admin.get(lineUrl(other.bot.id, "status"))).status).toBe(404);
    expect((await admin.post(lineUrl(other.bot.id, "webhook-endpoint"))).status).toBe(404);

    const agent = await signedIn(ws.agent.user.email);
    const forbidden = await agent.put(lineUrl(other.bot.id, "config"), credentials(account));
    expect(forbidden.status).toBe(403);
    expect((await agent.get("/api/v1/integrations/line")).status).toBe(403);
    expect(line.state.channels.get(account.channelId)?.webhookEndpoint).toBe("");
  });

  it("refuses a LINE account connected in another workspace (409); it can move once disconnected there", async () => {
    const first = await adminOfNewWorkspace();
    const second = await adminOfNewWorkspace();
    const account = newLineAccount();
    const connected = await (await first.admin.put(lineUrl(first.bot.id, "config"), credentials(account))).json();

    const res = await second.admin.put(lineUrl(second.bot.id, "config"), credentials(account));
    expect(res.status).toBe(409);
    const body = await res.json();
    expect(body.error.code).toBe("line_already_connected");
    expect(body.error.message).toMatch(/another workspace/);

    // Nor to a second chatbot of the same workspace: one chatbot per LINE account, listed for the picker.
    const nightBot = await createChatbot(runtime.database.db, {
      workspaceId: first.ws.workspace.id,
      name: "Night shift",
    });
    const same = await first.admin.put(lineUrl(nightBot.id, "config"), credentials(account));
    expect(same.status).toBe(409);
    expect((await same.json()).error.message).toMatch(/another chatbot of this workspace/);
    const bots = await (await first.admin.get("/api/v1/integrations/line")).json();
    expect(
      bots.data.map((b: { chatbotId: string; channel: { id: string } | null }) => [b.chatbotId, b.channel?.id ?? null]),
    ).toEqual([
      [first.bot.id, connected.id],
      [nightBot.id, null],
    ]);

    // Disconnecting goes through the generic channel route: secrets wiped, history kept.
    expect((await first.admin.delete(`/api/v1/channels/${connected.id}`)).status).toBe(204);
    const wiped = await rowOf(connected.id);
    expect(wiped).toMatchObject({ status: "disconnected", secretsEncrypted: null, secretHints: {} });
    expect((await (await first.admin.get(lineUrl(first.bot.id, "status"))).json()).connected).toBe(false);
    expect((await second.admin.put(lineUrl(second.bot.id, "config"), credentials(account))).status).toBe(200);
  });

  it("updates the chatbot's channel: a new token replaces the old, omitted secrets are kept, reconnect needed is cleared", async () => {
    const { ws, bot, admin } = await adminOfNewWorkspace();
    const account = newLineAccount("Old name");
    const first = await (await admin.put(lineUrl(bot.id, "config"), credentials(account))).json();

    // LINE revokes the token: the status notices and marks the channel.
    const oldToken = account.channelAccessToken;
    const newToken = line.state.rotateToken(account.channelId)!;
    const status = await (await admin.get(lineUrl(bot.id, "status"))).json();
    expect(status.token.state).toBe("rejected");
    expect(status.channel).toMatchObject({ status: "reconnect_needed", statusReason: expect.stringMatching(/token/) });

    // Only the new token: the secret stays; the account is renamed on LINE meanwhile.
    line.state.channels.get(account.channelId)!.displayName = "New name";
    const res = await admin.put(lineUrl(bot.id, "config"), {
      channelId: account.channelId,
      channelAccessToken: newToken,
    });
    expect(res.status).toBe(200);
    const updated = await res.json();
    expect(updated).toMatchObject({ id: first.id, name: "New name", status: "active", statusReason: null });
    expect(updated.secretHints.channelAccessToken).toBe(`••••${newToken.slice(-4)}`);
    expect(JSON.parse(runtime.keyring.decrypt((await rowOf(first.id)).secretsEncrypted!))).toEqual({
      channelSecret: account.channelSecret,
      channelAccessToken: newToken,
    });

    // Nothing but the channel id: both stored secrets are kept and checked again.
    expect((await admin.put(lineUrl(bot.id, "config"), { channelId: account.channelId })).status).toBe(200);
    const rows = await runtime.database.db.select().from(channels).where(eq(channels.workspaceId, ws.workspace.id));
    expect(rows).toHaveLength(1);

    // Another account's token on this chatbot's channel is refused.
    const stranger = newLineAccount();
    const mismatch = await admin.put(lineUrl(bot.id, "config"), credentials(stranger));
    expect(mismatch.status).toBe(409);
    expect((await mismatch.json()).error.code).toBe("line_account_mismatch");

    const audit = await auditOf(ws.workspace.id);
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["channel.connect", "channel.reconnect_needed", "channel.update"]),
    );
    expect(audit.find((a) => a.action === "channel.update")?.after).toMatchObject({ tokenReplaced: true });
    expectNoSecrets(audit, { channelSecret: account.channelSecret, channelAccessToken: oldToken });
    expect(JSON.stringify(audit)).not.toContain(newToken);
  });

  it("answers 503 platform_unavailable when LINE does not answer the token check", async () => {
    const { bot, admin } = await adminOfNewWorkspace();
    const account = newLineAccount();
    line.state.addFault({ kind: "unavailable", on: "info", channelId: account.channelId });
    const res = await admin.put(lineUrl(bot.id, "config"), credentials(account));
    expect(res.status).toBe(503);
    expect((await res.json()).error.code).toBe("platform_unavailable");
  });
});

describe("the LINE status", () => {
  it("reports the quota, the token and a webhook URL that differs from ours", async () => {
    const { bot, admin } = await adminOfNewWorkspace();
    const account = newLineAccount();
    await admin.put(lineUrl(bot.id, "config"), credentials(account));
    const sim = line.state.channels.get(account.channelId)!;
    sim.monthlyQuota = 500;
    sim.usage = 42;
    sim.webhookEndpoint = "https://old-server.example.com/line";
    sim.webhookActive = true;

    const res = await admin.get(lineUrl(bot.id, "status"));
    expect(res.status).toBe(200);
    const status = await res.json();
    expect(status).toMatchObject({
      chatbotId: bot.id,
      connected: true,
      lineChannelId: account.channelId,
      botUserId: account.userId,
      basicId: account.basicId,
      token: { state: "valid" },
      quota: { limit: 500, used: 42 },
      quotaError: null,
      webhook: {
        expectedUrl: `http://localhost:3000/api/v1/integrations/line/${bot.id}/webhook`,
        problem: null,
        line: { endpoint: "https://old-server.example.com/line", active: true, matches: false },
        error: null,
      },
      channel: { status: "active", type: "line", webhook: expect.objectContaining({ eventsReceived: 0 }) },
    });
    expectNoSecrets(status, account);

    sim.monthlyQuota = null;
    sim.webhookEndpoint = "";
    const unlimited = await (await admin.get(lineUrl(bot.id, "status"))).json();
    expect(unlimited.quota).toEqual({ limit: null, used: 42 });
    expect(unlimited.webhook.line).toMatchObject({ endpoint: null, matches: false });
  });

  it("still answers when LINE fails one check: that part is unavailable, the rest is there", async () => {
    const { bot, admin } = await adminOfNewWorkspace();
    const account = newLineAccount();
    await admin.put(lineUrl(bot.id, "config"), credentials(account));
    line.state.addFault({ kind: "server_error", on: "quota", times: 2, channelId: account.channelId });

    const res = await admin.get(lineUrl(bot.id, "status"));
    expect(res.status).toBe(200);
    const status = await res.json();
    expect(status.quota).toBeNull();
    expect(status.quotaError).toMatch(/not answering/);
    expect(status.token.state).toBe("valid");
    expect(status.webhook.line).toMatchObject({ matches: false });
    expect(status.channel.status).toBe("active");
  });

  it("is 'not connected' for a chatbot without a LINE channel", async () => {
    const { bot, admin } = await adminOfNewWorkspace();
    const status = await (await admin.get(lineUrl(bot.id, "status"))).json();
    expect(status).toMatchObject({ connected: false, channel: null, token: null, quota: null });
    expect(status.webhook.expectedUrl).toMatch(new RegExp(`/api/v1/integrations/line/${bot.id}/webhook$`));
    const set = await admin.post(lineUrl(bot.id, "webhook-endpoint"));
    expect(set.status).toBe(409);
    expect((await set.json()).error.code).toBe("line_not_connected");
  });
});

describe("the webhook URL on LINE", () => {
  it("sets our URL on LINE, then LINE's own test posts a signed delivery to it and reports the verdict", async () => {
    const { ws, bot, admin } = await adminOfNewWorkspace();
    const account = newLineAccount();
    await admin.put(lineUrl(bot.id, "config"), credentials(account));
    const publicUrl = runtime.config.appUrl;
    runtime.config.appUrl = listenerUrl;
    try {
      const expected = `${listenerUrl}/api/v1/integrations/line/${bot.id}/webhook`;
      const set = await admin.post(lineUrl(bot.id, "webhook-endpoint"));
      expect(set.status).toBe(200);
      expect(await set.json()).toEqual({ endpoint: expected, active: true });
      expect(line.state.channels.get(account.channelId)).toMatchObject({
        webhookEndpoint: expected,
        webhookActive: true,
      });
      const status = await (await admin.get(lineUrl(bot.id, "status"))).json();
      expect(status.webhook.line).toEqual({ endpoint: expected, active: true, matches: true });

      received.length = 0;
      listenerStatus = 200;
      const test = await admin.post(lineUrl(bot.id, "webhook-test"));
      expect(test.status).toBe(200);
      expect(await test.json()).toMatchObject({ success: true, statusCode: 200, reason: "OK" });
      expect(received).toHaveLength(1);
      expect(received[0]!.path).toBe(`/api/v1/integrations/line/${bot.id}/webhook`);
      expect(JSON.parse(received[0]!.body)).toEqual({ destination: account.userId, events: [] });
      expect(verifyLineSignature(received[0]!.body, received[0]!.signature, account.channelSecret)).toBe(true);

      listenerStatus = 404;
      const failing = await (await admin.post(lineUrl(bot.id, "webhook-test"))).json();
      expect(failing).toMatchObject({ success: false, statusCode: 404, reason: "ERROR_STATUS_CODE" });
    } finally {
      runtime.config.appUrl = publicUrl;
      listenerStatus = 200;
    }
    const audit = await auditOf(ws.workspace.id);
    expect(audit.find((a) => a.action === "channel.set_webhook")).toMatchObject({ actorUserId: ws.admin.user.id });
  });

  it("refuses an http URL when LINE is the real one, with the reason, without asking LINE", async () => {
    const { bot, admin } = await adminOfNewWorkspace();
    const account = newLineAccount();
    await admin.put(lineUrl(bot.id, "config"), credentials(account));
    runtime.config.simulator = false;
    try {
      const before = line.calls.length;
      const res = await admin.post(lineUrl(bot.id, "webhook-endpoint"));
      expect(res.status).toBe(422);
      const body = await res.json();
      expect(body.error.code).toBe("line_webhook_requires_https");
      expect(body.error.message).toMatch(/https/);
      expect(line.calls.length).toBe(before);
      const status = await (await admin.get(lineUrl(bot.id, "status"))).json();
      expect(status.webhook.problem).toMatch(/APP_URL/);
    } finally {
      runtime.config.simulator = true;
    }
  });

  it("marks the channel 'reconnect needed' when LINE refuses the stored token", async () => {
    const { bot, admin } = await adminOfNewWorkspace();
    const account = newLineAccount();
    const channel = await (await admin.put(lineUrl(bot.id, "config"), credentials(account))).json();
    line.state.addFault({ kind: "token_revoked", on: "webhook", channelId: account.channelId });
    const res = await admin.post(lineUrl(bot.id, "webhook-endpoint"));
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("reconnect_needed");
    expect((await rowOf(channel.id)).status).toBe("reconnect_needed");
  });
});
