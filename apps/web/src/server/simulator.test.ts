import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { createApp } from "@tandem/api";
import { SimulatorSendResult, SimulatorThread } from "@tandem/contracts";
import {
  createGraphClient,
  DEMO_FAQ,
  DEMO_PAGE,
  type JobQueue,
  loadConfig,
  type Runtime,
  seedDemo,
  silentLogger,
} from "@tandem/core";
import { shopifyShopBase } from "@tandem/core/shopify/shop-url";
import { channels, contacts, inboundEvents } from "@tandem/db";
import { createSimulator, DEMO_SHOP, DEMO_SHOPIFY_APP } from "@tandem/simulator";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../../tests/support/runtime.ts";
import { mountMessengerCustomer } from "./messenger-customer.ts";
import { mountSimulator, SIMULATOR_APP } from "./simulator.ts";

/**
 * The /simulator page's server side against the real app over real HTTP: one server carrying the
 * API and the simulator, like apps/web/server.ts, with the embedded queue running every job.
 */
let runtime: Runtime;
let queue: JobQueue;
let server: Server;
let baseUrl: string;
let simulator: Awaited<ReturnType<typeof mountSimulator>>["simulator"];
let closeSimulator: (() => Promise<void>) | undefined;

const customerUrl = (path: string) => `${baseUrl}/_simulator/customer/messenger${path}`;
const post = (path: string, body: unknown) =>
  fetch(customerUrl(path), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
async function thread(psid: string) {
  const res = await fetch(customerUrl(`/thread?psid=${psid}`));
  expect(res.status).toBe(200);
  return SimulatorThread.parse(await res.json());
}

beforeAll(async () => {
  server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  runtime = await createTestRuntime({ APP_URL: baseUrl, SIMULATOR: "1" });
  const mounted = await mountSimulator(runtime.config, silentLogger, { smtpPort: 0 });
  closeSimulator = mounted.close;
  simulator = mounted.simulator;
  await seedDemo(runtime.database.db, { password: "tandem-demo", keyring: runtime.keyring });
  queue = attachTestQueue(runtime);
  await queue.start();
  const api = getRequestListener(createApp(runtime).fetch);
  server.on("request", (req, res) => (req.url?.startsWith("/_simulator") ? mounted.listener(req, res) : api(req, res)));
});

afterAll(async () => {
  await queue?.stop({ timeoutMs: 5_000 });
  await new Promise((resolve) => server.close(resolve));
  await closeSimulator?.();
  await runtime?.close();
});

describe("the simulator's Messenger customer", () => {
  it("sends a signed webhook the app accepts, and shows the bot's answer from the fake Send API", async () => {
    const psid = "7100000000000101";
    const res = await post("/send", { psid, name: "Zoë Müller", text: "What is your return policy?" });
    expect(res.status).toBe(200);
    const sent = SimulatorSendResult.parse(await res.json());
    expect(sent.webhook).toEqual({ status: 200, ok: true });

    // The app stored the event for the demo Page, with a valid signature.
    const [event] = await runtime.database.db.select().from(inboundEvents).where(eq(inboundEvents.signatureOk, true));
    expect(event).toBeDefined();

    // The profile the app fetches is the name the customer was given.
    expect(simulator.graph.state.profile(psid)).toMatchObject({ firstName: "Zoë", lastName: "Müller" });

    await vi.waitFor(
      async () => {
        const t = await thread(psid);
        expect(t.items.map((i) => [i.from, i.text])).toEqual([
          ["customer", "What is your return policy?"],
          ["page", DEMO_FAQ.find((e) => e.question === "What is your return policy?")!.answer],
        ]);
      },
      { timeout: 30_000, interval: 200 },
    );
    const t = await thread(psid);
    expect(t).toMatchObject({ pageId: DEMO_PAGE.id, psid, name: "Zoë Müller" });
    expect(t.items[0]).toMatchObject({ mid: sent.mid, kind: "text", webhook: { status: 200, ok: true } });
    expect(t.items[1]).toMatchObject({ from: "page", messagingType: "RESPONSE", webhook: null });

    // The contact is the PSID on the demo Page's channel, named from the simulated profile.
    const [channel] = await runtime.database.db.select().from(channels).where(eq(channels.externalId, DEMO_PAGE.id));
    await vi.waitFor(
      async () => {
        const [contact] = await runtime.database.db
          .select()
          .from(contacts)
          .where(and(eq(contacts.channelId, channel!.id), eq(contacts.platformUserId, psid)));
        expect(contact?.name).toBe("Zoë Müller");
      },
      { timeout: 30_000, interval: 200 },
    );

    // Delivery names the Page's message once; read receipts are accepted too.
    const delivery = await post("/delivery", { psid });
    expect(delivery.status).toBe(200);
    expect(await delivery.json()).toMatchObject({ mids: [t.items[1]!.mid], webhook: { ok: true } });
    expect(await (await post("/delivery", { psid })).json()).toMatchObject({ mids: [] });
    expect((await post("/read", { psid })).status).toBe(200);

    const customers = await (await fetch(customerUrl("/customers"))).json();
    expect(customers).toMatchObject({ defaultPageId: DEMO_PAGE.id, pages: [{ id: DEMO_PAGE.id }] });
    expect(customers.customers).toContainEqual(
      expect.objectContaining({ psid, name: "Zoë Müller", lastActivityAt: expect.any(String) }),
    );
  });

  it("sends quick replies, postbacks and attachments as Messenger does", async () => {
    const psid = "7100000000000102";
    const sends = [
      { text: "Yes please", quickReplyPayload: "CONFIRM_YES" },
      { postback: { title: "Get started", payload: "GET_STARTED" } },
      { attachmentUrl: "https://example.com/photo.jpg" },
    ];
    for (const body of sends) expect((await post("/send", { psid, ...body })).status).toBe(200);
    const items = (await thread(psid)).items.filter((i) => i.from === "customer");
    expect(items).toMatchObject([
      { kind: "quick_reply", text: "Yes please", payload: "CONFIRM_YES" },
      { kind: "postback", text: "Get started", payload: "GET_STARTED" },
      { kind: "attachment", attachments: [{ type: "image", url: "https://example.com/photo.jpg" }] },
    ]);
  });

  it("shows files the Page uploaded with the Send API as the customer's Messenger does", async () => {
    const psid = "7100000000000104";
    const graph = createGraphClient({ baseUrl: `${baseUrl}/_simulator/graph` });
    const fields = (type: string) => ({
      recipient: { id: psid },
      messaging_type: "RESPONSE",
      message: { attachment: { type, payload: {} }, metadata: "tandem:msg_file" },
    });
    const png = Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
      "base64",
    );
    const pdf = Buffer.from("%PDF-1.4\n%%EOF\n", "latin1");
    const image = await graph.sendMessageWithFile(DEMO_PAGE.id, DEMO_PAGE.accessToken, fields("image"), {
      bytes: png,
      mime: "image/png",
      name: "dot.png",
    });
    await graph.sendMessageWithFile(DEMO_PAGE.id, DEMO_PAGE.accessToken, fields("file"), {
      bytes: pdf,
      mime: "application/pdf",
      name: "Invoice 42.pdf",
    });

    const items = (await thread(psid)).items;
    expect(items.map((i) => [i.from, i.kind, i.attachments.map((a) => [a.type, a.name])])).toEqual([
      ["page", "attachment", [["image", "dot.png"]]],
      ["page", "attachment", [["file", "Invoice 42.pdf"]]],
    ]);
    expect(items[0]?.mid).toBe(image.message_id);
    const served = await fetch(items[0]!.attachments[0]!.url!);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);
    const file = await fetch(items[1]!.attachments[0]!.url!);
    expect(file.headers.get("content-type")).toBe("application/pdf");
    expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
  });

  it("never renames a customer it knows: a name only introduces a new one", async () => {
    const psid = "7100000000000177";
    expect((await post("/send", { psid, name: "Ana Lima", text: "Hi" })).status).toBe(200);
    expect((await post("/send", { psid, name: "Someone Else", text: "Hi again" })).status).toBe(200);
    expect((await post("/send", { psid, text: "And again" })).status).toBe(200);
    expect(await thread(psid)).toMatchObject({ psid, name: "Ana Lima" });
  });

  it("refuses bad input and unknown Pages", async () => {
    expect((await post("/send", { psid: "has spaces", text: "hi" })).status).toBe(400);
    expect((await post("/send", { psid: "7100000000000103" })).status).toBe(400);
    expect((await post("/send", { psid: "7100000000000103", quickReplyPayload: "X" })).status).toBe(400);
    expect((await post("/send", { psid: "7100000000000103", text: "hi", pageId: "999" })).status).toBe(404);
    expect((await fetch(customerUrl("/thread"))).status).toBe(400);
    expect((await post("/read", {})).status).toBe(400);
  });
});

describe("when the app does not accept the webhook", () => {
  it("answers 502 and keeps the customer's message, marked as not delivered", async () => {
    // A customer signing with the wrong secret: the real webhook route refuses it.
    const sim = createSimulator({ graph: { pages: [DEMO_PAGE] } });
    mountMessengerCustomer(sim, {
      webhookUrl: `${baseUrl}/api/webhooks/messenger`,
      appSecret: () => "not-the-app-secret",
      defaultPageId: DEMO_PAGE.id,
      log: silentLogger,
    });
    const res = await sim.app.request("/customer/messenger/send", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ psid: "42", text: "hello?" }),
    });
    expect(res.status).toBe(502);
    expect(await res.json()).toMatchObject({ error: { code: "webhook_failed", details: { status: 401 } } });
    const t = SimulatorThread.parse(await (await sim.app.request("/customer/messenger/thread?psid=42")).json());
    expect(t.items).toMatchObject([{ from: "customer", text: "hello?", webhook: { status: 401, ok: false } }]);
  });
});

describe("where the Graph API calls go", () => {
  const config = (env: Record<string, string>) =>
    loadConfig({ NODE_ENV: "test", APP_URL: "http://127.0.0.1:3999", DEMO_SEED: "0", LOG_LEVEL: "silent", ...env });

  it("to the simulator when no Facebook app is configured, filling in the simulator's app", async () => {
    const c = config({});
    await (await mountSimulator(c, silentLogger, { smtpPort: 0 })).close();
    expect(c.facebook).toMatchObject({
      graphApiUrl: "http://127.0.0.1:3999/_simulator/graph",
      appId: SIMULATOR_APP.appId,
      appSecret: SIMULATOR_APP.appSecret,
      verifyToken: SIMULATOR_APP.verifyToken,
    });
  });

  it("to Facebook once a real app is configured: the three variables are enough", async () => {
    const c = config({
      FB_APP_ID: "123456789012345",
      FB_APP_SECRET: "real-secret",
      WEBHOOK_VERIFY_TOKEN: "real-verify",
    });
    await (await mountSimulator(c, silentLogger, { smtpPort: 0 })).close();
    expect(c.facebook).toMatchObject({
      graphApiUrl: "https://graph.facebook.com",
      appId: "123456789012345",
      appSecret: "real-secret",
      verifyToken: "real-verify",
    });
  });
});

describe("where LINE calls go", () => {
  const config = () =>
    loadConfig({ NODE_ENV: "test", APP_URL: "http://127.0.0.1:3999", DEMO_SEED: "0", LOG_LEVEL: "silent" });

  it("to the simulator's fake LINE hosts unless LINE_API_URL / LINE_DATA_API_URL are set", async () => {
    const simulated = config();
    await (await mountSimulator(simulated, silentLogger, { smtpPort: 0 })).close();
    expect(simulated).toMatchObject({
      lineApiUrl: "http://127.0.0.1:3999/_simulator/line/api",
      lineDataApiUrl: "http://127.0.0.1:3999/_simulator/line/data",
    });

    vi.stubEnv("LINE_API_URL", "https://api.line.me");
    vi.stubEnv("LINE_DATA_API_URL", "https://api-data.line.me");
    try {
      const real = { ...config(), lineApiUrl: "https://api.line.me", lineDataApiUrl: "https://api-data.line.me" };
      await (await mountSimulator(real, silentLogger, { smtpPort: 0 })).close();
      expect(real).toMatchObject({ lineApiUrl: "https://api.line.me", lineDataApiUrl: "https://api-data.line.me" });
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe("where Shopify calls go", () => {
  const config = (env: Record<string, string> = {}) =>
    loadConfig({ NODE_ENV: "test", APP_URL: "http://127.0.0.1:3999", DEMO_SEED: "0", LOG_LEVEL: "silent", ...env });

  it("to the simulated demo store when no public app is configured, with the demo app for OAuth", async () => {
    const c = config();
    await (await mountSimulator(c, silentLogger, { smtpPort: 0 })).close();
    expect(c.shopifyApiUrl).toBe("http://127.0.0.1:3999/_simulator/shopify");
    expect(c.shopifyApp).toEqual({ apiKey: DEMO_SHOPIFY_APP.clientId, apiSecret: DEMO_SHOPIFY_APP.clientSecret });

    // The server of this file: the demo store answers the Admin API where Tandem addresses it.
    const res = await fetch(`${shopifyShopBase(runtime.config, DEMO_SHOP.domain)}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": DEMO_SHOPIFY_APP.accessToken },
      body: JSON.stringify({ query: "{ shop { name myshopifyDomain } }" }),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).data.shop).toEqual({ name: DEMO_SHOP.name, myshopifyDomain: DEMO_SHOP.domain });
  });

  it("to Shopify once a real public app is configured", async () => {
    const c = config({ SHOPIFY_API_KEY: "real-key", SHOPIFY_API_SECRET: "real-secret" });
    await (await mountSimulator(c, silentLogger, { smtpPort: 0 })).close();
    expect(c.shopifyApiUrl).toBeUndefined();
    expect(c.shopifyApp).toEqual({ apiKey: "real-key", apiSecret: "real-secret" });
    expect(shopifyShopBase(c, DEMO_SHOP.domain)).toBe("https://tandem-demo.myshopify.com");
  });
});

describe("where mail goes", () => {
  const config = (env: Record<string, string>) =>
    loadConfig({ NODE_ENV: "test", APP_URL: "http://127.0.0.1:3999", DEMO_SEED: "0", LOG_LEVEL: "silent", ...env });

  it("to the simulator's SMTP catcher when no SMTP server is configured", async () => {
    const c = config({});
    expect(c.mail).toBeNull();
    const mounted = await mountSimulator(c, silentLogger, { smtpPort: 0 });
    try {
      expect(mounted.smtp?.port).toBeGreaterThan(0);
      expect(c.mail).toMatchObject({ kind: "simulator", smtp: { host: "127.0.0.1", port: mounted.smtp?.port } });
    } finally {
      await mounted.close();
    }
  });

  it("to another free port when SIMULATOR_SMTP_PORT is taken (a second server on the machine)", async () => {
    const first = await mountSimulator(config({}), silentLogger, { smtpPort: 0 });
    const c = config({});
    const second = await mountSimulator(c, silentLogger, { smtpPort: first.smtp!.port });
    try {
      expect(second.smtp?.port).not.toBe(first.smtp?.port);
      expect(c.mail?.smtp.port).toBe(second.smtp?.port);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("to the operator's SMTP server once one is configured, and never to the simulator in production", async () => {
    const c = config({ SMTP_URL: "smtp://mail.example.com:587", MAIL_FROM: "Acme <no-reply@acme.example>" });
    const mounted = await mountSimulator(c, silentLogger, { smtpPort: 0 });
    expect(mounted.smtp).toBeNull();
    expect(c.mail).toMatchObject({ kind: "smtp", from: "Acme <no-reply@acme.example>" });

    const production = config({
      NODE_ENV: "production",
      SIMULATOR: "1",
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
      AUTH_SECRET: "z".repeat(32),
    });
    const prod = await mountSimulator(production, silentLogger, { smtpPort: 0 });
    expect(prod.smtp).toBeNull();
    expect(production.mail).toBeNull();
  });
});
