/**
 * The /simulator page's LINE customer over real HTTP: the simulator served like the app serves it,
 * and a plain node:http listener playing the app's LINE webhook, which answers with the reply token
 * through the fake Messaging API as the LINE adapter will.
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { LineSimulatorCustomers, LineSimulatorSendResult, LineSimulatorThread } from "@tandem/contracts";
import { silentLogger } from "@tandem/core";
import { createLineClient } from "@tandem/core/channels/line/client";
import { toLineMessages } from "@tandem/core/channels/line/messages";
import { verifyLineSignature } from "@tandem/core/channels/line/signature";
import { parseLineWebhook } from "@tandem/core/channels/line/webhook";
import { createSimulator, DEMO_LINE_CHANNEL, DEMO_LINE_GROUP, DEMO_LINE_USERS } from "@tandem/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mountLineCustomer } from "./line-customer.ts";

const simulator = createSimulator({
  basePath: "/_simulator",
  line: { channels: [DEMO_LINE_CHANNEL], users: DEMO_LINE_USERS, groups: [DEMO_LINE_GROUP] },
});
const USER = DEMO_LINE_USERS[0]!;
/** Customer threads outlive a simulator reset: a test that reads a whole thread writes as its own user. */
const OTHER = DEMO_LINE_USERS[1]!;
const TOKEN = DEMO_LINE_CHANNEL.channelAccessToken;
let served: ReturnType<typeof serve>;
let base = "";
let app: Server;
let appUrl = "";
/** What the "app" received, and how it answers. */
const received: { url: string; signed: boolean; body: ReturnType<typeof parseLineWebhook> }[] = [];
let appStatus = 200;
let autoReply = true;

beforeAll(async () => {
  await new Promise<void>((resolve) => {
    served = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      base = `http://127.0.0.1:${info.port}/_simulator`;
      resolve();
    });
  });
  const line = () => createLineClient({ apiUrl: `${base}/line/api`, dataApiUrl: `${base}/line/data` });
  app = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const signed = verifyLineSignature(raw, req.headers["x-line-signature"] as string, DEMO_LINE_CHANNEL.channelSecret);
    const body = parseLineWebhook(raw.toString("utf8"));
    received.push({ url: req.url ?? "", signed, body });
    res.writeHead(appStatus).end();
    const event = body.ok ? body.events[0] : undefined;
    if (autoReply && appStatus === 200 && event?.type === "message" && event.replyToken) {
      const text = event.message.type === "text" ? `You said: ${event.message.text}` : `Got your ${event.message.type}`;
      await line().reply(TOKEN, { replyToken: event.replyToken, messages: [{ type: "text", text }] });
    }
  });
  app.listen(0, "127.0.0.1");
  await once(app, "listening");
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  mountLineCustomer(simulator, {
    webhookUrl: (chatbotId) => `${appUrl}/api/v1/integrations/line/${chatbotId}/webhook`,
    defaultChannelId: DEMO_LINE_CHANNEL.channelId,
    log: silentLogger,
  });
});

afterAll(async () => {
  app.close();
  await new Promise((resolve) => served.close(resolve));
});

beforeEach(() => {
  simulator.line.reset();
  received.length = 0;
  appStatus = 200;
  autoReply = true;
});

const send = (body: unknown) =>
  fetch(`${base}/customer/line/send`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
async function thread(query: string) {
  const res = await fetch(`${base}/customer/line/thread?${query}`);
  expect(res.status).toBe(200);
  return LineSimulatorThread.parse(await res.json());
}
/** The app answers after it acknowledged the webhook; wait for the reply to reach the fake API. */
async function settle(count: number) {
  for (let i = 0; i < 50 && simulator.line.state.outbox.length < count; i++)
    await new Promise((r) => setTimeout(r, 20));
}

describe("the simulator's LINE customer", () => {
  it("sends a signed webhook to the chatbot's LINE route and shows the bot's reply from the fake API", async () => {
    const res = await send({ userId: USER.userId, chatbotId: "bot_1", event: { type: "text", text: "สวัสดีค่ะ" } });
    expect(res.status).toBe(200);
    const result = LineSimulatorSendResult.parse(await res.json());
    await settle(1);

    expect(received[0]).toMatchObject({ url: "/api/v1/integrations/line/bot_1/webhook", signed: true });
    expect(received[0]?.body).toMatchObject({
      ok: true,
      destination: DEMO_LINE_CHANNEL.userId,
      events: [{ type: "message", source: { type: "user", userId: USER.userId }, message: { text: "สวัสดีค่ะ" } }],
    });
    const view = await thread(`userId=${USER.userId}`);
    expect(view).toMatchObject({ chatType: "user", name: USER.displayName, botLoading: false });
    expect(view.items.map((i) => [i.from, i.kind, i.text, i.via])).toEqual([
      ["customer", "text", "สวัสดีค่ะ", null],
      ["bot", "text", "You said: สวัสดีค่ะ", "reply"],
    ]);
    expect(view.items[0]).toMatchObject({ id: result.messageId, webhook: { status: 200, ok: true } });
  });

  it("writes in the group, sends stickers, images, locations and postbacks, and unsends", async () => {
    const newcomer = "U0000000000000000000000000000abcd";
    const inGroup = { userId: newcomer, name: "Nok", groupId: DEMO_LINE_GROUP.groupId, chatbotId: "bot_1" };
    autoReply = false;
    const texts = await send({ ...inGroup, event: { type: "text", text: "hello group" } });
    await send({ ...inGroup, event: { type: "sticker", packageId: "446", stickerId: "1988" } });
    await send({ ...inGroup, event: { type: "image" } });
    await send({ ...inGroup, event: { type: "location", title: "Shop", latitude: 13.7, longitude: 100.5 } });
    await send({ ...inGroup, event: { type: "postback", data: "action=track&order=42" } });
    const { messageId } = LineSimulatorSendResult.parse(await texts.json());
    await send({ ...inGroup, event: { type: "unsend", messageId } });

    expect(received.map((r) => r.body.ok && r.body.events[0]?.type)).toEqual([
      "message",
      "message",
      "message",
      "message",
      "postback",
      "unsend",
    ]);
    expect(received[0]?.body).toMatchObject({
      events: [{ source: { type: "group", groupId: DEMO_LINE_GROUP.groupId, userId: newcomer } }],
    });
    const view = await thread(`groupId=${DEMO_LINE_GROUP.groupId}`);
    expect(view).toMatchObject({ chatType: "group", name: DEMO_LINE_GROUP.groupName });
    expect(view.items.map((i) => i.kind)).toEqual(["text", "sticker", "image", "location", "postback", "unsend"]);
    expect(view.items[0]).toMatchObject({ unsent: true, userId: newcomer });
    expect(view.items[1]?.sticker).toEqual({ packageId: "446", stickerId: "1988" });
    expect(view.items[4]?.payload).toBe("action=track&order=42");
    expect(view.items[5]?.payload).toBe(messageId);
    const image = await fetch(`http://127.0.0.1:${new URL(base).port}${view.items[2]?.url}`);
    expect(image.headers.get("content-type")).toBe("image/jpeg");
    // The newcomer became a member, so the app's member-profile fetch finds them.
    expect(simulator.line.state.groups.get(DEMO_LINE_GROUP.groupId)?.memberIds).toContain(newcomer);
    expect(simulator.line.state.users.get(newcomer)?.displayName).toBe("Nok");
  });

  it("follows and unfollows 1:1, and shows the bot's loading animation and pushes", async () => {
    autoReply = false;
    expect((await send({ userId: OTHER.userId, chatbotId: "bot_1", event: { type: "follow" } })).status).toBe(200);
    const line = createLineClient({ apiUrl: `${base}/line/api`, dataApiUrl: `${base}/line/data` });
    await line.showLoading(TOKEN, OTHER.userId, 20);
    expect((await thread(`userId=${OTHER.userId}`)).botLoading).toBe(true);
    await line.push(TOKEN, { to: OTHER.userId, messages: [{ type: "text", text: "An agent will be with you" }] });
    await send({ userId: OTHER.userId, chatbotId: "bot_1", event: { type: "unfollow" } });

    const view = await thread(`userId=${OTHER.userId}`);
    expect(view.botLoading).toBe(false);
    expect(view.items.map((i) => [i.from, i.kind, i.via])).toEqual([
      ["customer", "follow", null],
      ["bot", "text", "push"],
      ["customer", "unfollow", null],
    ]);
    expect(received[0]?.body).toMatchObject({ events: [{ type: "follow", replyToken: expect.any(String) }] });
  });

  it("shows an image the bot sent by its preview, opening the original, and a video and audio as players", async () => {
    const line = createLineClient({ apiUrl: `${base}/line/api`, dataApiUrl: `${base}/line/data` });
    const messages = toLineMessages(
      {
        text: null,
        attachments: [
          { type: "image", url: "https://tandem.example/media/a.png" },
          { type: "video", url: "https://tandem.example/media/b.mp4" },
        ],
      },
      { previewUrlOf: (a) => a.url.replace(/\.\w+$/, ".preview.jpg") },
    );
    const audio = { type: "audio", originalContentUrl: "https://tandem.example/media/c.m4a", duration: 1000 };
    // Tandem sends no audio yet; LINE's audio message has no preview.
    await line.push(TOKEN, { to: USER.userId, messages: [...messages, audio] as typeof messages });

    const bot = (await thread(`userId=${USER.userId}`)).items.filter((i) => i.from === "bot");
    expect(bot.map((i) => [i.kind, i.url, i.previewUrl])).toEqual([
      ["image", "https://tandem.example/media/a.png", "https://tandem.example/media/a.preview.jpg"],
      ["video", "https://tandem.example/media/b.mp4", "https://tandem.example/media/b.preview.jpg"],
      ["audio", "https://tandem.example/media/c.m4a", null],
    ]);
  });

  it("shows a product carousel the bot sent as cards: thumbnail, title, text and a View link", async () => {
    const line = createLineClient({ apiUrl: `${base}/line/api`, dataApiUrl: `${base}/line/data` });
    const card = {
      productId: "p1",
      title: "Linen shirt",
      priceText: "฿1,290.00",
      price: "1290.00",
      currency: "THB",
      available: true,
      imageUrl: "https://cdn.shop.example/linen.jpg",
      url: "https://shop.example/products/linen-shirt",
      variantTitle: null,
    };
    const messages = toLineMessages({
      text: "We have it.",
      productCards: [card, { ...card, productId: "p2", title: "Cotton shirt", available: false, url: null }],
    });
    await line.push(TOKEN, { to: USER.userId, messages });

    const bot = (await thread(`userId=${USER.userId}`)).items.filter((i) => i.from === "bot");
    expect(bot.map((i) => i.kind)).toEqual(["text", "template"]);
    expect(bot[1]?.text).toBe("Products: Linen shirt (฿1,290.00); Cotton shirt (฿1,290.00, out of stock)");
    expect(bot[1]?.cards).toEqual([
      {
        title: "Linen shirt",
        subtitle: "฿1,290.00 · In stock",
        imageUrl: "https://cdn.shop.example/linen.jpg",
        buttons: [{ title: "View", url: "https://shop.example/products/linen-shirt" }],
      },
      {
        title: "Cotton shirt",
        subtitle: "฿1,290.00 · Out of stock",
        imageUrl: "https://cdn.shop.example/linen.jpg",
        buttons: [{ title: "Ask about it", url: null }],
      },
    ]);
  });

  it("delivers to the webhook endpoint set on LINE, as LINE does", async () => {
    const line = createLineClient({ apiUrl: `${base}/line/api`, dataApiUrl: `${base}/line/data` });
    await line.setWebhookEndpoint(TOKEN, `${appUrl}/api/v1/integrations/line/bot_connected/webhook`);
    await send({ userId: USER.userId, event: { type: "text", text: "hi" } });
    await settle(1);
    expect(received.map((r) => r.url)).toEqual(["/api/v1/integrations/line/bot_connected/webhook"]);

    const customers = LineSimulatorCustomers.parse(await (await fetch(`${base}/customer/line/customers`)).json());
    expect(customers.channels[0]?.webhookEndpoint).toBe(`${appUrl}/api/v1/integrations/line/bot_connected/webhook`);
    // The /simulator page shows the simulated channel's credentials, to paste on Settings → Channels.
    expect(customers.channels[0]).toMatchObject({
      channelId: DEMO_LINE_CHANNEL.channelId,
      channelSecret: DEMO_LINE_CHANNEL.channelSecret,
      channelAccessToken: DEMO_LINE_CHANNEL.channelAccessToken,
    });
    expect(customers.users[0]).toMatchObject({ userId: USER.userId, lastActivityAt: expect.any(String) });
    expect(customers.groups[0]?.groupId).toBe(DEMO_LINE_GROUP.groupId);
  });

  it("refuses bad input, says when nothing would receive the event, and reports the app's refusal", async () => {
    const bad = await send({ userId: "Ubad", event: { type: "text", text: "x" } });
    const groupFollow = await send({
      userId: USER.userId,
      groupId: DEMO_LINE_GROUP.groupId,
      event: { type: "follow" },
    });
    const nowhere = await send({ userId: USER.userId, event: { type: "text", text: "anyone?" } });
    appStatus = 401;
    const refused = await send({ userId: USER.userId, chatbotId: "bot_1", event: { type: "text", text: "hi" } });

    expect(bad.status).toBe(400);
    expect(groupFollow.status).toBe(400);
    expect(nowhere.status).toBe(409);
    expect(await nowhere.json()).toMatchObject({ error: { code: "webhook_not_set" } });
    expect(refused.status).toBe(502);
    expect(await refused.json()).toMatchObject({ error: { code: "webhook_failed", details: { status: 401 } } });
    const view = await thread(`userId=${USER.userId}`);
    expect(view.items.at(-1)).toMatchObject({ text: "hi", webhook: { status: 401, ok: false } });
  });
});
