/**
 * Product cards through the `send-outbound-message` job, against the Graph and LINE simulators over
 * real HTTP: the exact payloads each platform received (Messenger's generic template, LINE's carousel
 * in the same reply as the text), the platforms' limits and the https rule, and retries and refusals
 * that never repeat the text. The bot message with `product_cards` is written as test data; the bot
 * side that chooses the products is tested where it lives.
 */
import { randomBytes } from "node:crypto";
import { type ProductCard, rooms, WIDGET_SOCKET } from "@tandem/contracts";
import { chatbotErrors } from "@tandem/db";
import { createChannel, createMessage, createTestWorkspace } from "@tandem/db/testing";
import { createLineCustomer, lineUser, newLineId } from "@tandem/simulator";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCustomerConversation,
  createMessengerThread,
  digits,
  type OutboundJobHarness,
  startOutboundJobHarness,
} from "../../../../tests/support/outbound-job.ts";
import { sealLineSecrets } from "../channels/line/line-deps.ts";

let h: OutboundJobHarness;
beforeAll(async () => {
  h = await startOutboundJobHarness();
});
afterAll(() => h.close());

const card = (n: number, overrides: Partial<ProductCard> = {}): ProductCard => ({
  productId: `gid://shopify/Product/${n}`,
  title: `Linen shirt ${n}`,
  priceText: "฿1,290.00",
  price: "1290.00",
  currency: "THB",
  available: true,
  imageUrl: `https://cdn.shopify.test/shirt-${n}.jpg`,
  url: `https://shop.test/products/linen-shirt-${n}`,
  variantTitle: null,
  ...overrides,
});

const REPLY = "We have the linen shirt in M for ฿1,290 — and the cotton one is out of stock.";

async function messengerThread() {
  const { ws, psid, message } = await createMessengerThread(h);
  const botMessage = (productCards: ProductCard[] | null) => message({ text: REPLY, productCards });
  const outbox = () => h.graph.outbox.filter((r) => r.kind === "message" && r.recipientId === psid);
  return { ws, psid, botMessage, outbox };
}

describe("product cards on Messenger", () => {
  it("sends the text, then one generic-template carousel with title, price and stock, https image and a View button", async () => {
    const { botMessage, outbox } = await messengerThread();
    const msg = await botMessage([
      card(1, { variantTitle: "M / Natural" }),
      card(2, { title: "Cotton tee", available: false, priceText: "$24.00 – $28.00" }),
    ]);
    await h.send(msg.id);

    const out = outbox();
    expect(out.map((r) => r.message)).toEqual([
      { text: REPLY, metadata: `tandem:${msg.id}` },
      {
        attachment: {
          type: "template",
          payload: {
            template_type: "generic",
            image_aspect_ratio: "square",
            elements: [
              {
                title: "Linen shirt 1",
                subtitle: "฿1,290.00 · In stock · M / Natural",
                image_url: "https://cdn.shopify.test/shirt-1.jpg",
                default_action: { type: "web_url", url: "https://shop.test/products/linen-shirt-1" },
                buttons: [{ type: "web_url", url: "https://shop.test/products/linen-shirt-1", title: "View" }],
              },
              {
                title: "Cotton tee",
                subtitle: "$24.00 – $28.00 · Out of stock",
                image_url: "https://cdn.shopify.test/shirt-2.jpg",
                default_action: { type: "web_url", url: "https://shop.test/products/linen-shirt-2" },
                buttons: [{ type: "web_url", url: "https://shop.test/products/linen-shirt-2", title: "View" }],
              },
            ],
          },
        },
        metadata: `tandem:${msg.id}`,
      },
    ]);
    const row = await h.load(msg.id);
    expect(row.status).toBe("sent");
    expect(row.metadata.platformMessageIds).toEqual(out.map((r) => r.messageId));
  });

  it("keeps to Meta's limits: 10 elements, 80-character title and subtitle, no http image, no button without a URL", async () => {
    const { botMessage, outbox } = await messengerThread();
    const long = "Extra-long handmade linen shirt with mother-of-pearl buttons and a relaxed fit for hot days";
    const cards = Array.from({ length: 12 }, (_, i) => card(i));
    cards[0] = card(0, {
      title: long,
      variantTitle: "Natural / M / Long sleeve / Limited edition run of fifty pieces",
    });
    cards[1] = card(1, { imageUrl: "http://insecure.test/a.jpg", url: null });
    const msg = await botMessage(cards);
    await h.send(msg.id);

    const template = outbox()[1]!.message as {
      attachment: { payload: { elements: Record<string, unknown>[] } };
    };
    const elements = template.attachment.payload.elements;
    expect(elements).toHaveLength(10);
    expect([...String(elements[0]!.title)].length).toBeLessThanOrEqual(80);
    expect([...String(elements[0]!.title)].length).toBeGreaterThan(75);
    expect(String(elements[0]!.title)).toMatch(/^Extra-long handmade.*…$/);
    expect([...String(elements[0]!.subtitle)].length).toBeLessThanOrEqual(80);
    expect(String(elements[0]!.subtitle)).toMatch(/^฿1,290\.00 · In stock · Natural/);
    expect(elements[1]).toEqual({ title: "Linen shirt 1", subtitle: "฿1,290.00 · In stock" });
    expect((await h.load(msg.id)).status).toBe("sent");
  });

  it("retries a template the platform failed on without repeating the text", async () => {
    const { psid, botMessage, outbox } = await messengerThread();
    const msg = await botMessage([card(1)]);
    h.graph.faults.set(psid, { kind: "server_error", on: "templates" });
    await expect(h.send(msg.id, 1)).rejects.toMatchObject({ retryable: true });
    expect(outbox().map((r) => Object.keys(r.message ?? {})[0])).toEqual(["text"]);
    expect(await h.load(msg.id)).toMatchObject({ status: "sending" });

    await h.send(msg.id, 2);
    const out = outbox();
    expect(out.map((r) => Object.keys(r.message ?? {})[0])).toEqual(["text", "attachment"]);
    const row = await h.load(msg.id);
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
    expect(row.metadata.platformMessageIds).toEqual(out.map((r) => r.messageId));
  });

  it("records a refused template as the message's failure, the text already delivered", async () => {
    const { ws, psid, botMessage, outbox } = await messengerThread();
    const msg = await botMessage([card(1)]);
    h.graph.faults.set(psid, { kind: "user_unavailable", on: "templates" });
    await expect(h.send(msg.id, 1)).rejects.toMatchObject({ retryable: false });
    expect(outbox().map((r) => r.message?.text)).toEqual([REPLY]);
    const row = await h.load(msg.id);
    expect(row).toMatchObject({ status: "failed", errorCode: "platform_error_551" });
    expect(row.metadata.platformMessageIds).toEqual([outbox()[0]!.messageId]);
    const errors = await h.runtime.database.db
      .select()
      .from(chatbotErrors)
      .where(eq(chatbotErrors.workspaceId, ws.workspace.id));
    expect(errors).toEqual([expect.objectContaining({ kind: "send", code: "platform_error_551", messageId: msg.id })]);
  });

  it("sends the text alone when the message has no cards", async () => {
    const { botMessage, outbox } = await messengerThread();
    const msg = await botMessage(null);
    await h.send(msg.id);
    expect(outbox().map((r) => r.message?.text)).toEqual([REPLY]);
  });
});

describe("Graph simulator: generic templates as Meta checks them", () => {
  it("refuses more than 10 elements, long titles, http images and buttons without a URL", async () => {
    const page = h.graph.addPage({ id: digits(15), name: "Checks", accessToken: `EAAPAGE${digits(20)}` });
    const post = async (elements: unknown[]) => {
      const res = await h.simulator.app.fetch(
        new Request(`http://sim.test/graph/v23.0/${page.id}/messages?access_token=${page.accessToken}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            recipient: { id: digits(16) },
            messaging_type: "RESPONSE",
            message: { attachment: { type: "template", payload: { template_type: "generic", elements } } },
          }),
        }),
      );
      return { status: res.status, body: (await res.json()) as { error?: { message: string } } };
    };
    const ok = { title: "Shirt", subtitle: "฿1,290.00 · In stock" };
    expect((await post([ok])).status).toBe(200);
    const refusals = [
      [await post(Array.from({ length: 11 }, () => ok)), /at most 10 elements/],
      [await post([{ ...ok, title: "x".repeat(81) }]), /title\] must be less than or equal to 80/],
      [await post([{ ...ok, subtitle: "x".repeat(81) }]), /subtitle\] must be less than or equal to 80/],
      [await post([{ ...ok, image_url: "http://cdn.test/a.jpg" }]), /https URL/],
      [await post([{ ...ok, buttons: [{ type: "web_url", title: "View" }] }]), /url\] must be a valid URL/],
      [await post([{ title: "Only a title" }]), /at least one of/],
    ] as const;
    for (const [res, pattern] of refusals) {
      expect(res.status).toBe(400);
      expect(res.body.error?.message).toMatch(pattern);
    }
  });
});

describe("product cards on the widget", () => {
  it("publishes the bot message to the visitor's session with its products (the widget draws them)", async () => {
    const db = h.runtime.database.db;
    const ws = await createTestWorkspace(db);
    const chatbotId = `bot_${digits(8)}`;
    const channel = await createChannel(db, { workspaceId: ws.workspace.id, type: "web", externalId: chatbotId });
    const sessionId = `ws_${digits(12)}`;
    const { conversation } = await createCustomerConversation(db, channel, {
      platformUserId: sessionId,
      lastInboundAt: new Date(),
    });
    const published: { room: string; event: string; payload: unknown }[] = [];
    h.runtime.realtime.bind({ emit: (room, event, payload) => published.push({ room, event, payload }) });
    const cards = [card(1), card(2, { url: "javascript:alert(1)" })];
    const msg = await createMessage(db, {
      conversationId: conversation.id,
      role: "BOT",
      status: "queued",
      text: REPLY,
      productCards: cards,
    });
    await h.send(msg.id);
    const toVisitor = published.find(
      (p) => p.room === rooms.widgetSession(chatbotId, sessionId) && p.event === WIDGET_SOCKET.events.message,
    );
    // Links that are not http(s) never reach the visitor.
    expect(toVisitor?.payload).toMatchObject({
      id: msg.id,
      text: REPLY,
      products: [cards[0], { ...cards[1], url: null }],
    });
    expect((await h.load(msg.id)).status).toBe("sent");
  });
});

async function lineThread() {
  const db = h.runtime.database.db;
  const ws = await createTestWorkspace(db);
  const secret = randomBytes(16).toString("hex");
  const token = `lineToken${randomBytes(20).toString("base64url")}`;
  const account = h.line.addChannel({
    channelId: digits(10),
    channelSecret: secret,
    channelAccessToken: token,
    userId: newLineId("U"),
    basicId: "@cards",
    displayName: "Cards",
  });
  const channel = await createChannel(db, {
    workspaceId: ws.workspace.id,
    type: "line",
    externalId: account.channelId,
    ...sealLineSecrets(h.runtime.keyring, { channelSecret: secret, channelAccessToken: token }),
  });
  const userId = newLineId("U");
  h.line.addUser({ userId, displayName: "Customer" });
  const { conversation } = await createCustomerConversation(db, channel, {
    platformUserId: userId,
    lastInboundAt: new Date(),
  });
  const customer = createLineCustomer(h.simulator.line, account.channelId);
  /** The customer's question (with a fresh reply token, as the webhook would store it) and the bot's answer. */
  const botAnswer = async (productCards: ProductCard[]) => {
    const event = customer.text(lineUser(userId), "Do you have the linen shirt in M?");
    const question = await createMessage(db, {
      conversationId: conversation.id,
      role: "USER",
      status: "received",
      platformMessageId: event.message.id,
      metadata: { send: { replyToken: event.replyToken, receivedAt: new Date().toISOString() } },
    });
    return createMessage(db, {
      conversationId: conversation.id,
      role: "BOT",
      status: "queued",
      text: REPLY,
      replyToId: question.id,
      productCards,
    });
  };
  const outbox = () => h.line.outbox.filter((r) => r.channelId === account.channelId && r.chatId === userId);
  return { account, botAnswer, outbox };
}

describe("product cards on LINE", () => {
  it("answers with the text and a carousel in one reply, within LINE's limits", async () => {
    const { botAnswer, outbox } = await lineThread();
    const msg = await botAnswer([
      card(1, { title: "Handmade linen shirt with mother-of-pearl buttons", variantTitle: "M / Natural" }),
      card(2, { available: false, url: null }),
    ]);
    await h.send(msg.id);

    const out = outbox();
    expect(out).toHaveLength(1);
    expect(out[0]!.kind).toBe("reply");
    expect(out[0]!.messages).toEqual([
      { type: "text", text: REPLY },
      {
        type: "template",
        altText:
          "Products: Handmade linen shirt with mother-of-pearl buttons (฿1,290.00); Linen shirt 2 (฿1,290.00, out of stock)",
        template: {
          type: "carousel",
          columns: [
            {
              thumbnailImageUrl: "https://cdn.shopify.test/shirt-1.jpg",
              title: "Handmade linen shirt with mother-of-pea…",
              text: "฿1,290.00 · In stock · M / Natural",
              defaultAction: { type: "uri", label: "View", uri: "https://shop.test/products/linen-shirt-1" },
              actions: [{ type: "uri", label: "View", uri: "https://shop.test/products/linen-shirt-1" }],
            },
            {
              thumbnailImageUrl: "https://cdn.shopify.test/shirt-2.jpg",
              title: "Linen shirt 2",
              text: "฿1,290.00 · Out of stock",
              actions: [{ type: "message", label: "Ask about it", text: "Linen shirt 2" }],
            },
          ],
        },
      },
    ]);
    const row = await h.load(msg.id);
    expect(row.status).toBe("sent");
    expect(row.metadata.platformMessageIds).toEqual(out[0]!.sentMessages.map((m) => m.id));
  });

  it("leaves every thumbnail out when one card has no https image (LINE wants the columns alike), and cuts at 10", async () => {
    const { botAnswer, outbox } = await lineThread();
    const cards = Array.from({ length: 12 }, (_, i) => card(i));
    cards[3] = card(3, { imageUrl: "http://insecure.test/a.jpg" });
    const msg = await botAnswer(cards);
    await h.send(msg.id);
    const carousel = outbox()[0]!.messages[1] as {
      altText: string;
      template: { columns: Record<string, unknown>[] };
    };
    expect(carousel.template.columns).toHaveLength(10);
    for (const column of carousel.template.columns) expect(column.thumbnailImageUrl).toBeUndefined();
    expect([...carousel.altText].length).toBeLessThanOrEqual(400);
    expect((await h.load(msg.id)).status).toBe("sent");
  });

  it("the simulator refuses a carousel LINE would: columns unlike each other, long texts, http images", async () => {
    const { account } = await lineThread();
    const push = (template: unknown) =>
      h.simulator.app.fetch(
        new Request("http://sim.test/line/api/v2/bot/message/push", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${account.channelAccessToken}` },
          body: JSON.stringify({ to: newLineId("U"), messages: [{ type: "template", altText: "Products", template }] }),
        }),
      );
    const column = {
      title: "Shirt",
      text: "฿1,290.00",
      actions: [{ type: "uri", label: "View", uri: "https://a.test" }],
    };
    const refused = async (template: unknown, property: string) => {
      const res = await push(template);
      expect(res.status).toBe(400);
      const body = (await res.json()) as { details: { property: string }[] };
      expect(body.details.map((d) => d.property)).toContain(property);
    };
    await refused(
      { type: "carousel", columns: [column, { ...column, thumbnailImageUrl: "https://a.test/a.jpg" }] },
      "messages[0].template.columns[1]",
    );
    await refused(
      { type: "carousel", columns: [{ ...column, text: "x".repeat(61) }] },
      "messages[0].template.columns[0].text",
    );
    await refused(
      { type: "carousel", columns: [{ ...column, thumbnailImageUrl: "http://a.test/a.jpg" }] },
      "messages[0].template.columns[0].thumbnailImageUrl",
    );
    await refused(
      { type: "carousel", columns: Array.from({ length: 11 }, () => column) },
      "messages[0].template.columns",
    );
  });

  it("sends the text again without the carousel when LINE refuses it, and records the refusal", async () => {
    const { account, botAnswer, outbox } = await lineThread();
    const msg = await botAnswer([card(1)]);
    h.line.addFault({ kind: "invalid_request", on: "templates", channelId: account.channelId });
    await expect(h.send(msg.id, 1)).rejects.toMatchObject({ retryable: false, status: 400 });
    const out = outbox();
    // The text still answered with the reply token (unused by the refused call).
    expect(out.map((r) => r.kind)).toEqual(["reply"]);
    expect(out[0]!.messages).toEqual([{ type: "text", text: REPLY }]);
    const row = await h.load(msg.id);
    expect(row).toMatchObject({ status: "failed", errorCode: "invalid_request" });
    expect(row.errorMessage).toMatch(/Refused by an injected fault/);
    expect(row.metadata.platformMessageIds).toEqual([out[0]!.sentMessages[0]!.id]);

    // A retry (an agent's "retry" in the inbox) sends the carousel alone, by push: never the text again.
    await h.send(msg.id, 1);
    const after = outbox();
    expect(after.map((r) => r.kind)).toEqual(["reply", "push"]);
    expect(after[1]!.messages.map((m) => m.type)).toEqual(["template"]);
    expect(await h.load(msg.id)).toMatchObject({ status: "sent" });
  });
});
