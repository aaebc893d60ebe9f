import { createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { SOCKET_EVENTS } from "@tandem/contracts";
import { DEFAULT_HANDOFF_MESSAGES, type JobQueue, parseTrustProxy, type Runtime, silentLogger } from "@tandem/core";
import { listUnconnectedPages, receiveMessengerWebhook } from "@tandem/core/channels/messenger/receive-webhook";
import { processInboundEvent } from "@tandem/core/inbound/process-inbound-event";
import { recoverInboundEvents } from "@tandem/core/inbound/recover-inbound-events";
import { SIGNATURE_REJECTION_LIMITS } from "@tandem/core/inbound/signature-rejections";
import {
  channels,
  chatbots,
  contacts,
  conversations,
  dataDeletionRequests,
  inboundEvents,
  jobs,
  messages,
  moderationFlags,
} from "@tandem/db";
import { createChannel, createChatbot, createTestWorkspace } from "@tandem/db/testing";
import {
  attachmentEvent,
  createGraphSimulator,
  deliveryEvent,
  echoEvent,
  type MessagingEvent,
  messengerWebhook,
  newMid,
  postbackEvent,
  postSignedWebhook,
  quickReplyEvent,
  reactionEvent,
  readEvent,
  serializeLikeMeta,
  signMessengerBody,
  textEvent,
} from "@tandem/simulator";
import { and, asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../tests/support/runtime.ts";
import { createApp } from "./app.ts";
import { createApiListener } from "./webhook-fast-path.ts";

const APP_SECRET = "webhook-test-app-secret";
const VERIFY_TOKEN = "webhook-test-verify-token";
const OUR_APP_ID = "4242424242";

let runtime: Runtime;
let queue: JobQueue;
let appServer: Server;
let graphServer: Server;
let base: string;
const graph = createGraphSimulator();
const socketEvents: { room: string; event: string; payload: { id?: string } }[] = [];

async function listen(fetchHandler: (req: Request) => Response | Promise<Response>): Promise<[Server, string]> {
  const listener = getRequestListener(fetchHandler);
  const server = createServer((req, res) => listener(req, res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

beforeAll(async () => {
  runtime = await createTestRuntime({
    FB_APP_SECRET: APP_SECRET,
    FB_APP_ID: OUR_APP_ID,
    WEBHOOK_VERIFY_TOKEN: VERIFY_TOKEN,
  });
  let graphUrl: string;
  [graphServer, graphUrl] = await listen(graph.app.fetch);
  runtime.config.facebook.graphApiUrl = graphUrl;
  runtime.realtime.bind({
    emit: (room, event, payload) => socketEvents.push({ room, event, payload: payload as never }),
  });
  queue = attachTestQueue(runtime);
  await queue.start();
  // The node listener `npm start` serves: the webhook's fast path, Hono for the rest.
  const listener = createApiListener(runtime, createApp(runtime).fetch);
  appServer = createServer((req, res) => listener(req, res));
  appServer.listen(0, "127.0.0.1");
  await once(appServer, "listening");
  base = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await queue.stop({ timeoutMs: 2000 });
  appServer.close();
  graphServer.close();
  await runtime.close();
});

const db = () => runtime.database.db;
const webhookUrl = () => `${base}/api/webhooks/messenger`;

/** A connected Page in a fresh workspace, known to the Graph simulator with its token. */
async function connectedPage(options: { chatbot?: boolean; token?: string } = {}) {
  const ws = await createTestWorkspace(db());
  const pageId = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const token = options.token ?? `EAAtest${pageId}`;
  graph.state.addPage({ id: pageId, name: `Page ${pageId}`, accessToken: `EAAtest${pageId}` });
  const chatbot = options.chatbot ? await createChatbot(db(), { workspaceId: ws.workspace.id }) : null;
  const channel = await createChannel(db(), {
    workspaceId: ws.workspace.id,
    externalId: pageId,
    chatbotId: chatbot?.id ?? null,
    secretsEncrypted: runtime.keyring.encrypt(JSON.stringify({ pageAccessToken: token })),
  });
  return { ws, pageId, channel, chatbot };
}

let psidCounter = 0;
const newPsid = () => `71000${Date.now()}${++psidCounter}`;

async function send(payload: Parameters<typeof postSignedWebhook>[2], headers?: Record<string, string>) {
  return postSignedWebhook(webhookUrl(), APP_SECRET, payload, headers ? { headers } : {});
}

/**
 * A POST on its own connection: the server answers 413 before reading the whole body, and a pooled
 * keep-alive socket left half-written would break the next test's request.
 */
function postOnNewConnection(url: string, body: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: "POST", agent: false, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // The server may close the socket while we are still writing; the answer has arrived by then.
    req.on("error", reject);
    req.end(body);
  });
}

async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until every entry stored for the channel has left `pending` / `processing`. */
async function settled(channelId: string) {
  await waitFor(async () => {
    const rows = await db().select().from(inboundEvents).where(eq(inboundEvents.channelId, channelId));
    return rows.length > 0 && rows.every((r) => r.status === "processed" || r.status === "ignored");
  }, `inbound events of ${channelId} to be processed`);
}

async function messagesOf(channelId: string) {
  return db()
    .select()
    .from(messages)
    .where(eq(messages.channelId, channelId))
    .orderBy(asc(messages.createdAt), asc(messages.id));
}

async function conversationOf(channelId: string, psid: string) {
  const [row] = await db()
    .select({ conversation: conversations, contact: contacts })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(conversations.channelId, channelId), eq(contacts.platformUserId, psid)));
  return row ?? null;
}

async function jobWithKey(name: string, key: string) {
  const [row] = await db()
    .select()
    .from(jobs)
    .where(and(eq(jobs.name, name), eq(jobs.jobKey, key)));
  return row ?? null;
}

async function channelRow(id: string) {
  const [row] = await db().select().from(channels).where(eq(channels.id, id));
  return row!;
}

describe("GET /api/webhooks/messenger (subscription check)", () => {
  it("echoes the challenge as plain text for the right verify token, 403 otherwise", async () => {
    const query = (mode: string, token: string) =>
      `${webhookUrl()}?hub.mode=${mode}&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`;
    const ok = await fetch(query("subscribe", VERIFY_TOKEN));
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await ok.text()).toBe("1158201444");

    expect((await fetch(query("subscribe", "wrong"))).status).toBe(403);
    expect((await fetch(query("unsubscribe", VERIFY_TOKEN))).status).toBe(403);
    expect((await fetch(webhookUrl())).status).toBe(403);
  });

  it("refuses every token while WEBHOOK_VERIFY_TOKEN is unset", async () => {
    const saved = runtime.config.facebook.verifyToken;
    runtime.config.facebook.verifyToken = undefined;
    try {
      expect((await fetch(`${webhookUrl()}?hub.mode=subscribe&hub.verify_token=&hub.challenge=1`)).status).toBe(403);
    } finally {
      runtime.config.facebook.verifyToken = saved;
    }
  });
});

describe("POST /api/webhooks/messenger: signature, size and shape", () => {
  it("accepts a body signed over Meta's exact bytes (non-ASCII escaped as \\uXXXX) and stores the text decoded", async () => {
    const { pageId, channel } = await connectedPage();
    const psid = newPsid();
    const text = "Grüße aus Zürich — สวัสดีครับ 👋 http://x.y/z";
    const body = serializeLikeMeta(messengerWebhook([textEvent({ pageId, psid, text })]));
    expect(body).toContain("\\u00fc");

    const res = await send(body);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("EVENT_RECEIVED");
    await settled(channel.id);
    expect((await messagesOf(channel.id)).map((m) => m.text)).toEqual([text]);
  });

  it("answers 401 and stores nothing for a wrong, missing, legacy-only or re-serialised signature", async () => {
    const { pageId, channel } = await connectedPage();
    await runtime.limiter.reset("webhook:bad-signature:sender:127.0.0.1");
    const payload = messengerWebhook([textEvent({ pageId, psid: newPsid(), text: "Smörgåsbord" })]);
    const body = serializeLikeMeta(payload);
    const attempts: Record<string, string>[] = [
      { "x-hub-signature-256": signMessengerBody("not-the-secret", body) },
      { "x-hub-signature-256": "" },
      { "x-hub-signature-256": signMessengerBody(APP_SECRET, JSON.stringify(payload)) },
      { "x-hub-signature-256": `sha1=${createHmac("sha1", APP_SECRET).update(body).digest("hex")}` },
    ];
    for (const headers of attempts) {
      const res = await send(body, headers);
      expect(res.status).toBe(401);
      const error = (await res.json()).error;
      expect(error).toMatchObject({ code: "invalid_signature", requestId: expect.any(String) });
    }
    const stored = await db().select().from(inboundEvents).where(eq(inboundEvents.externalId, pageId));
    expect(stored).toEqual([]);
    expect(await messagesOf(channel.id)).toEqual([]);
    // The rejected bodies named this Page: its webhook health counts them (one sender: once a
    // minute), and nothing else.
    const after = await channelRow(channel.id);
    expect(after.signatureRejections).toBe(1);
    expect(after.lastSignatureRejectionAt).toBeInstanceOf(Date);
    expect(after.eventsReceived).toBe(0);
  });

  it("stores text with a NUL or a lone surrogate sanitised, and never fails the webhooks batched with it", async () => {
    const { pageId, channel } = await connectedPage();
    const texts = Array.from({ length: 30 }, (_, i) => `message ${i} 👋`);
    texts[7] = "a NUL \u0000 inside";
    texts[19] = "half an emoji \ud83d here";
    const psids = texts.map(() => newPsid());
    // The NUL customer's profile carries one too (Graph answers with the \u0000 escape).
    graph.state.addUser({ psid: psids[7]!, firstName: "Nul\u0000", lastName: "Byte\udc00" });
    const bodies = texts.map((text, i) => messengerWebhook([textEvent({ pageId, psid: psids[i]!, text })]));
    // Keys Meta may add are kept in the stored entry: one with a NUL in its name.
    (bodies[23]!.entry[0]!.messaging![0] as unknown as Record<string, unknown>)["extra\u0000key"] = "\u0000";
    // Sent at once: the group commit writes them in one or two statements.
    const statuses = await Promise.all(bodies.map(async (body) => (await send(body)).status));
    expect(statuses).toEqual(texts.map(() => 200));

    await settled(channel.id);
    const expected = [...texts];
    expected[7] = "a NUL  inside";
    expected[19] = "half an emoji \ufffd here";
    expect((await messagesOf(channel.id)).map((m) => m.text).sort()).toEqual(expected.sort());
    const entries = await db().select().from(inboundEvents).where(eq(inboundEvents.channelId, channel.id));
    expect(entries).toHaveLength(30);
    expect(entries.every((e) => e.status === "processed")).toBe(true);
    const extra = entries.find((e) => JSON.stringify(e.payload).includes("extrakey"));
    expect((extra!.payload as { messaging: Record<string, unknown>[] }).messaging[0]!["extrakey"]).toBe("");
    const contact = await waitFor(async () => {
      const row = await conversationOf(channel.id, psids[7]!);
      return row?.contact.profileFetchedAt ? row.contact : null;
    }, "the profile");
    expect(contact).toMatchObject({ name: "Nul Byte\ufffd", firstName: "Nul", lastName: "Byte\ufffd" });
  });

  it("counts anonymous floods of bad signatures at most once per sender a minute and per Page an hour, and leaves what signed events set alone", async () => {
    const { pageId, channel } = await connectedPage();
    expect((await send(messengerWebhook([textEvent({ pageId, psid: newPsid(), text: "signed" })]))).status).toBe(200);
    await settled(channel.id);
    await waitFor(async () => (await channelRow(channel.id)).lastEventAt, "the event counters");
    const signed = await channelRow(channel.id);
    const forged = serializeLikeMeta(messengerWebhook([textEvent({ pageId, psid: newPsid(), text: "forged" })]));
    const flood = (count: number, forwardedFor: (i: number) => string) =>
      Promise.all(
        Array.from({ length: count }, async (_, i) => {
          const res = await send(forged, {
            "x-hub-signature-256": signMessengerBody("not-the-secret", forged),
            "x-forwarded-for": forwardedFor(i),
          });
          expect(res.status).toBe(401);
        }),
      );
    await runtime.limiter.reset("webhook:bad-signature:sender:127.0.0.1");

    // One sender, pretending to be many: X-Forwarded-For from an untrusted peer changes nothing.
    await flood(100, (i) => `198.51.100.${i}`);
    expect((await channelRow(channel.id)).signatureRejections).toBe(1);

    // Many senders behind a trusted proxy: each counts once, the Page at most its hourly cap.
    runtime.config.trustProxy = parseTrustProxy("loopback");
    try {
      await flood(100, (i) => `2001:db8:${i.toString(16)}::1`);
      await flood(100, (i) => `2001:db8:${i.toString(16)}::2`); // the same /64s again
    } finally {
      runtime.config.trustProxy = parseTrustProxy(undefined);
    }
    const after = await channelRow(channel.id);
    expect(after.signatureRejections).toBe(SIGNATURE_REJECTION_LIMITS.perPage.limit);
    // What the dashboard's state is made of moved only with signed events.
    expect(after).toMatchObject({
      status: "active",
      lastEventAt: signed.lastEventAt,
      eventsReceived: signed.eventsReceived,
      eventsFailed: 0,
    });
    expect(after.lastSignatureRejectionAt!.getTime()).toBeGreaterThan(signed.lastEventAt!.getTime());
    expect(await db().select().from(inboundEvents).where(eq(inboundEvents.channelId, channel.id))).toHaveLength(1);
  });

  it("answers 503 with a clear message when FB_APP_SECRET is not set", async () => {
    const saved = runtime.config.facebook.appSecret;
    runtime.config.facebook.appSecret = undefined;
    try {
      const res = await send(messengerWebhook([textEvent({ pageId: "1", psid: "2", text: "x" })]));
      expect(res.status).toBe(503);
      expect((await res.json()).error).toMatchObject({ code: "messenger_not_configured", message: /FB_APP_SECRET/ });
    } finally {
      runtime.config.facebook.appSecret = saved;
    }
  });

  it("answers 400 for invalid JSON and for an object other than page", async () => {
    const broken = await send('{"object":"page","entry":[');
    expect(broken.status).toBe(400);
    expect((await broken.json()).error.code).toBe("invalid_json");

    const notPage = await send(JSON.stringify({ object: "instagram", entry: [] }));
    expect(notPage.status).toBe(400);
    expect((await notPage.json()).error).toMatchObject({
      code: "invalid_input",
      details: [expect.objectContaining({ path: "object" })],
    });
  });

  it("answers 413 for a body over 1 MB", async () => {
    const { pageId } = await connectedPage();
    const huge = serializeLikeMeta(
      messengerWebhook([textEvent({ pageId, psid: newPsid(), text: "x".repeat(1024 * 1024) })]),
    );
    const signed = { "content-type": "application/json", "x-hub-signature-256": signMessengerBody(APP_SECRET, huge) };
    const res = await postOnNewConnection(webhookUrl(), huge, signed);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe("payload_too_large");
    // Without a Content-Length (chunked), counted while it arrives.
    const chunked = await postOnNewConnection(webhookUrl(), huge, { ...signed, "transfer-encoding": "chunked" });
    expect(chunked.status).toBe(413);
    expect(JSON.parse(chunked.body).error.code).toBe("payload_too_large");
    expect(await db().select().from(inboundEvents).where(eq(inboundEvents.externalId, pageId))).toEqual([]);
    // The server still answers on fresh connections.
    expect((await send(messengerWebhook([textEvent({ pageId, psid: newPsid(), text: "small" })]))).status).toBe(200);
  });
});

describe("processing: customer messages", () => {
  it("creates the contact, the conversation and the message; fetches the profile; publishes live updates", async () => {
    const { ws, pageId, channel } = await connectedPage();
    const psid = newPsid();
    graph.state.addUser({ psid, firstName: "Ada", lastName: "Lovelace", locale: "en_GB" });
    const mid = newMid();
    expect((await send(messengerWebhook([textEvent({ pageId, psid, text: "Hello there", mid })]))).status).toBe(200);
    await settled(channel.id);

    const [message] = await messagesOf(channel.id);
    expect(message).toMatchObject({
      role: "USER",
      kind: "text",
      text: "Hello there",
      status: "received",
      platformMessageId: mid,
    });
    const thread = await conversationOf(channel.id, psid);
    expect(thread?.conversation).toMatchObject({
      workspaceId: ws.workspace.id,
      status: "OPEN",
      unreadCount: 1,
      lastMessagePreview: "Hello there",
      autoBot: false, // the workspace has no chatbot: a conversation for people
      chatbotId: null,
    });
    expect(thread?.conversation.lastInboundAt).toBeInstanceOf(Date);
    expect(socketEvents).toContainEqual(
      expect.objectContaining({ room: `conversation:${thread!.conversation.id}`, event: "message:new" }),
    );
    expect(socketEvents).toContainEqual(
      expect.objectContaining({ room: `workspace:${ws.workspace.id}`, event: "conversation:updated" }),
    );

    const contact = await waitFor(async () => {
      const row = await conversationOf(channel.id, psid);
      return row?.contact.profileFetchedAt ? row.contact : null;
    }, "the profile");
    expect(contact).toMatchObject({ name: "Ada Lovelace", firstName: "Ada", lastName: "Lovelace", locale: "en_GB" });
    expect(contact.pictureUrl).toMatch(/^http/);
    // The counters are written within half a second, not with every batch (receive-webhook.ts).
    await waitFor(async () => (await channelRow(channel.id)).eventsReceived === 1, "the event counter");
    expect((await channelRow(channel.id)).lastEventAt).toBeInstanceOf(Date);
  });

  it("stores attachments, quick replies, postbacks and replies with their payloads", async () => {
    const { pageId, channel } = await connectedPage();
    const thread = { pageId, psid: newPsid() };
    const first = newMid();
    const events: MessagingEvent[] = [
      textEvent({ ...thread, text: "first", mid: first }),
      attachmentEvent({
        ...thread,
        attachments: [
          { type: "image", payload: { url: "https://cdn.example/cat.jpg" } },
          { type: "file", payload: { url: "https://cdn.example/invoice.pdf", title: "invoice.pdf" } },
        ],
      }),
      quickReplyEvent({ ...thread, text: "Shipping", payload: "QR_SHIPPING" }),
      postbackEvent({ ...thread, title: "Get started", payload: "GET_STARTED" }),
      textEvent({ ...thread, text: "about that", replyToMid: first }),
    ];
    expect((await send(messengerWebhook(events))).status).toBe(200);
    await settled(channel.id);

    const stored = await messagesOf(channel.id);
    expect(stored.map((m) => [m.role, m.kind, m.text, m.payload])).toEqual([
      ["USER", "text", "first", null],
      ["USER", "attachment", null, null],
      ["USER", "text", "Shipping", "QR_SHIPPING"],
      ["USER", "text", "Get started", "GET_STARTED"],
      ["USER", "text", "about that", null],
    ]);
    expect(stored[1]!.attachments).toEqual([
      { type: "image", url: "https://cdn.example/cat.jpg" },
      { type: "file", url: "https://cdn.example/invoice.pdf", name: "invoice.pdf" },
    ]);
    expect(stored[4]!.replyToId).toBe(stored[0]!.id);
    const conv = await conversationOf(channel.id, thread.psid);
    expect(conv?.conversation.unreadCount).toBe(5);
    expect(conv?.conversation.lastMessagePreview).toBe("about that");
  });

  it("stores a sticker Meta delivers as both `sticker` and `image` once", async () => {
    const { pageId, channel } = await connectedPage();
    const url = "https://scontent.example/sticker_369239263222822.png";
    const attachments = [
      { type: "sticker" as const, payload: { url, sticker_id: 369239263222822 } },
      { type: "image" as const, payload: { url, sticker_id: 369239263222822 } },
    ];
    await send(messengerWebhook([attachmentEvent({ pageId, psid: newPsid(), attachments })]));
    await settled(channel.id);
    const [stored] = await messagesOf(channel.id);
    expect(stored).toMatchObject({ kind: "attachment", attachments: [{ type: "sticker", url }] });
  });

  it("handles every entry[] and messaging[] item of a batch, and keeps (but does not process) unknown Pages", async () => {
    const a = await connectedPage();
    const b = await connectedPage();
    const unknownPage = `9${Date.now()}`;
    const events = [a.pageId, b.pageId, unknownPage].flatMap((pageId) =>
      [1, 2, 3].map((n) => textEvent({ pageId, psid: `${pageId}-user-${n % 2}`, text: `message ${n}` })),
    );
    const payload = messengerWebhook(events);
    expect(payload.entry).toHaveLength(3);
    expect((await send(payload)).status).toBe(200);
    await settled(a.channel.id);
    await settled(b.channel.id);

    for (const { channel } of [a, b]) {
      expect((await messagesOf(channel.id)).map((m) => m.text).sort()).toEqual(["message 1", "message 2", "message 3"]);
      await waitFor(async () => (await channelRow(channel.id)).eventsReceived === 3, "the event counters");
    }
    const kept = await db().select().from(inboundEvents).where(eq(inboundEvents.externalId, unknownPage));
    expect(kept).toEqual([expect.objectContaining({ status: "ignored", channelId: null, workspaceId: null })]);
    expect((kept[0]!.payload as { messaging: unknown[] }).messaging).toHaveLength(3);
    // Several workspaces, none ever connected the Page: no workspace is shown it (channels.test.ts).
    const listed = await listUnconnectedPages(db(), a.channel.workspaceId);
    expect(listed.map((p) => p.pageId)).not.toContain(unknownPage);
    const strays = await db()
      .select()
      .from(contacts)
      .where(eq(contacts.platformUserId, `${unknownPage}-user-1`));
    expect(strays).toEqual([]);
  });

  it("is idempotent on mid: a redelivery and two concurrent identical POSTs give one message", async () => {
    const { pageId, channel } = await connectedPage();
    const psid = newPsid();
    const again = serializeLikeMeta(messengerWebhook([textEvent({ pageId, psid, text: "once", mid: newMid() })]));
    expect((await send(again)).status).toBe(200);
    expect((await send(again)).status).toBe(200);

    const concurrent = serializeLikeMeta(
      messengerWebhook([textEvent({ pageId, psid, text: "twice at once", mid: newMid() })]),
    );
    const answers = await Promise.all([send(concurrent), send(concurrent), send(concurrent)]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    await settled(channel.id);

    expect((await messagesOf(channel.id)).map((m) => m.text)).toEqual(["once", "twice at once"]);
    expect((await conversationOf(channel.id, psid))?.conversation.unreadCount).toBe(2);
    const rows = await db().select().from(inboundEvents).where(eq(inboundEvents.channelId, channel.id));
    expect(rows).toHaveLength(5);
  });

  it("reopens a closed conversation on a new message, a new session for the bot-reply count", async () => {
    const { pageId, channel } = await connectedPage();
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "one" })]));
    await settled(channel.id);
    const { conversation } = (await conversationOf(channel.id, psid))!;
    await db()
      .update(conversations)
      .set({ status: "CLOSED", unreadCount: 0, consecutiveBotReplies: 3 })
      .where(eq(conversations.id, conversation.id));

    await send(messengerWebhook([textEvent({ pageId, psid, text: "two" })]));
    await settled(channel.id);
    const after = (await conversationOf(channel.id, psid))!.conversation;
    expect(after).toMatchObject({
      id: conversation.id,
      status: "OPEN",
      unreadCount: 1,
      lastMessagePreview: "two",
      consecutiveBotReplies: 0,
    });
  });

  it("keeps counting bot replies in an open session, and starts again after a day of silence", async () => {
    const { pageId, channel } = await connectedPage();
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "one" })]));
    await settled(channel.id);
    const { conversation } = (await conversationOf(channel.id, psid))!;
    const bots = (n: number, lastMessageAt: Date) =>
      db()
        .update(conversations)
        .set({ consecutiveBotReplies: n, lastMessageAt })
        .where(eq(conversations.id, conversation.id));

    await bots(2, new Date(Date.now() - 60_000));
    await send(messengerWebhook([textEvent({ pageId, psid, text: "two" })]));
    await settled(channel.id);
    expect((await conversationOf(channel.id, psid))!.conversation.consecutiveBotReplies).toBe(2);

    await bots(3, new Date(Date.now() - 25 * 3_600_000));
    await send(messengerWebhook([textEvent({ pageId, psid, text: "back a day later" })]));
    await settled(channel.id);
    expect((await conversationOf(channel.id, psid))!.conversation.consecutiveBotReplies).toBe(0);
  });

  it("enqueues a bot reply per customer message when auto-bot is on, but none for standby events", async () => {
    const { pageId, channel } = await connectedPage({ chatbot: true });
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "bot, please" })]));
    await send(
      messengerWebhook([textEvent({ pageId, psid, text: "another app owns this thread" })], { standby: true }),
    );
    await settled(channel.id);

    const stored = (await messagesOf(channel.id)).filter((m) => m.role === "USER");
    expect(stored.map((m) => m.text)).toEqual(["bot, please", "another app owns this thread"]);
    expect(stored[1]!.metadata).toMatchObject({ standby: true });
    const conversationId = (await conversationOf(channel.id, psid))!.conversation.id;
    const botJob = await jobWithKey("generate-bot-reply", `bot-reply:${stored[0]!.id}`);
    expect(botJob?.payload).toEqual({ conversationId, triggerMessageId: stored[0]!.id, mode: "auto" });
    expect(await jobWithKey("generate-bot-reply", `bot-reply:${stored[1]!.id}`)).toBeNull();
  });

  it("shows the customer the bot typing while it composes, then tells them a person will reply when it has no answer", async () => {
    const { pageId } = await connectedPage({ chatbot: true });
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "bot, please" })]));
    // The test chatbot knows nothing: it hands off, and the customer hears so instead of silence.
    const sent = await waitFor(async () => {
      const seen = graph.state.outbox.filter((r) => r.recipientId === psid);
      return seen.length >= 2 && seen;
    }, "the typing indicator, then the handoff message");
    expect(sent.map((r) => r.senderAction ?? r.kind)).toEqual(["typing_on", "message"]);
    expect(sent[1]!.message?.text).toBe(DEFAULT_HANDOFF_MESSAGES.en);
  });

  it("stops the typing indicator when the bot has nothing to send (handoff message turned off)", async () => {
    const { pageId, chatbot } = await connectedPage({ chatbot: true });
    await db()
      .update(chatbots)
      .set({ guardrails: { handoffMessage: "" } })
      .where(eq(chatbots.id, chatbot!.id));
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "bot, please" })]));
    const actions = await waitFor(async () => {
      const seen = graph.state.outbox.filter((r) => r.recipientId === psid).map((r) => r.senderAction ?? r.kind);
      return seen.length >= 2 && seen;
    }, "the typing indicator on and off");
    expect(actions).toEqual(["typing_on", "typing_off"]);
  });

  it("marks the channel reconnect-needed when the typing indicator meets an expired token (190), without failing the reply", async () => {
    const { pageId, channel } = await connectedPage({ chatbot: true });
    const psid = newPsid();
    graph.state.faults.set(psid, { kind: "expired_token", on: "sender_actions", times: 1 });
    await send(messengerWebhook([textEvent({ pageId, psid, text: "bot, please" })]));
    await settled(channel.id);

    const after = await waitFor(async () => {
      const row = await channelRow(channel.id);
      return row.status === "reconnect_needed" ? row : null;
    }, "the channel to need reconnecting");
    expect(after.statusReason).toMatch(/Session has expired/);
    const [trigger] = await messagesOf(channel.id);
    const reply = await waitFor(async () => {
      const job = await jobWithKey("generate-bot-reply", `bot-reply:${trigger!.id}`);
      return job && (job.status === "completed" || job.status === "failed") ? job : null;
    }, "the bot reply job to finish");
    expect(reply).toMatchObject({ status: "completed", attempts: 1 });
  });

  it("gives a new conversation the workspace's default chatbot when the channel names none", async () => {
    const { ws, pageId, channel } = await connectedPage();
    const fallback = await createChatbot(db(), { workspaceId: ws.workspace.id, isDefault: true });
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "anyone there?" })]));
    await settled(channel.id);
    const { conversation } = (await conversationOf(channel.id, psid))!;
    expect(conversation.chatbotId).toBe(fallback.id);
    const [message] = await messagesOf(channel.id);
    expect(await jobWithKey("generate-bot-reply", `bot-reply:${message!.id}`)).not.toBeNull();
  });

  it("starts a conversation with auto-bot off, and queues no reply, when the workspace has no chatbot", async () => {
    const { pageId, channel } = await connectedPage();
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "is anybody there?" })]));
    await settled(channel.id);
    const { conversation } = (await conversationOf(channel.id, psid))!;
    expect(conversation).toMatchObject({ chatbotId: null, autoBot: false, unreadCount: 1 });
    const [message] = await messagesOf(channel.id);
    expect(await jobWithKey("generate-bot-reply", `bot-reply:${message!.id}`)).toBeNull();
  });

  it("checks the summary on customer messages no bot answers, so people's conversations keep a memory", async () => {
    const { pageId, channel, chatbot } = await connectedPage({ chatbot: true });
    await db()
      .update(chatbots)
      .set({ memorySettings: { summarizeAfter: 2 } })
      .where(eq(chatbots.id, chatbot!.id));
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "Where is my order 1234?" })]));
    await settled(channel.id);
    const { conversation } = (await conversationOf(channel.id, psid))!;
    await db().update(conversations).set({ autoBot: false }).where(eq(conversations.id, conversation.id));
    await send(messengerWebhook([textEvent({ pageId, psid, text: "It was due on Monday." })]));
    await settled(channel.id);
    expect(await jobWithKey("summarize-conversation", `summary:${conversation.id}:1`)).not.toBeNull();
  });

  it("enqueues no bot reply when auto-bot is off", async () => {
    const { pageId, channel } = await connectedPage({ chatbot: true });
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "first" })]));
    await settled(channel.id);
    const { conversation } = (await conversationOf(channel.id, psid))!;
    await db().update(conversations).set({ autoBot: false }).where(eq(conversations.id, conversation.id));
    await send(messengerWebhook([textEvent({ pageId, psid, text: "second" })]));
    await settled(channel.id);
    const second = (await messagesOf(channel.id)).find((m) => m.text === "second")!;
    expect(await jobWithKey("generate-bot-reply", `bot-reply:${second.id}`)).toBeNull();
  });

  it("a request for a person hands off at ingestion: auto-bot off, flagged, a SYSTEM note, no bot reply", async () => {
    const { pageId, channel } = await connectedPage({ chatbot: true });
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "ขอคุยกับพนักงานหน่อย" })]));
    await settled(channel.id);
    const { conversation } = (await conversationOf(channel.id, psid))!;
    expect(conversation).toMatchObject({ autoBot: false, needsHuman: true, handoffReason: "human_requested" });
    const thread = await waitFor(async () => {
      const rows = await messagesOf(channel.id);
      return rows.length >= 3 && rows;
    }, "the handoff's note and message");
    expect(thread.map((m) => [m.role, m.kind])).toEqual([
      ["USER", "text"],
      ["SYSTEM", "event"],
      ["BOT", "text"],
    ]);
    expect(thread[1]!.metadata).toMatchObject({ event: "handoff", reason: "human_requested", trigger: thread[0]!.id });
    expect(await jobWithKey("generate-bot-reply", `bot-reply:${thread[0]!.id}`)).toBeNull();
    // In the customer's language when their locale is known; unknown here, so the chatbot's (English).
    expect(thread[2]!.metadata).toMatchObject({ event: "handoff_message", reason: "human_requested" });
    await waitFor(
      async () =>
        graph.state.outbox.find((r) => r.recipientId === psid && r.message?.text === DEFAULT_HANDOFF_MESSAGES.en),
      "the handoff message at the customer",
    );
    expect(socketEvents.some((e) => e.event === "message:new" && e.payload.id === thread[1]!.id)).toBe(true);
  });

  it("a request for a person flags the conversation even when auto-bot is already off", async () => {
    const { pageId, channel } = await connectedPage({ chatbot: true });
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "first" })]));
    await settled(channel.id);
    const { conversation } = (await conversationOf(channel.id, psid))!;
    await db()
      .update(conversations)
      .set({ autoBot: false, needsHuman: false, handoffReason: null })
      .where(eq(conversations.id, conversation.id));
    await send(messengerWebhook([textEvent({ pageId, psid, text: "Je veux parler à un conseiller" })]));
    await settled(channel.id);
    expect((await conversationOf(channel.id, psid))!.conversation).toMatchObject({
      autoBot: false,
      needsHuman: true,
      handoffReason: "human_requested",
    });
  });

  it("flags a customer message with profanity for review", async () => {
    const { ws, pageId, channel } = await connectedPage();
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "Where is my damn fucking parcel" })]));
    await settled(channel.id);
    const [message] = await messagesOf(channel.id);
    expect(message).toMatchObject({
      flagged: true,
      metadata: expect.objectContaining({ profanity: { language: "en", word: "fuck*" } }),
    });
    const flags = await db().select().from(moderationFlags).where(eq(moderationFlags.messageId, message!.id));
    expect(flags).toEqual([
      expect.objectContaining({
        workspaceId: ws.workspace.id,
        flagType: "profanity",
        source: "automated",
        reviewed: false,
      }),
    ]);
  });

  it("processes an entry with unknown event kinds without storing anything for them", async () => {
    const { pageId, channel } = await connectedPage();
    const psid = newPsid();
    const body = JSON.stringify({
      object: "page",
      entry: [
        {
          id: pageId,
          time: Date.now(),
          messaging: [{ sender: { id: psid }, recipient: { id: pageId }, timestamp: Date.now(), optin: { ref: "x" } }],
        },
      ],
    });
    expect((await send(body)).status).toBe(200);
    await settled(channel.id);
    expect(await messagesOf(channel.id)).toEqual([]);
  });
});

describe("processing: echoes, receipts and reactions", () => {
  /** A conversation with one customer message, plus our own outbound messages inserted as the send job would. */
  async function threadWithOutbound(outbound: { text: string; status: "sent" | "failed" | "queued"; sentAt?: Date }[]) {
    const page = await connectedPage();
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ ...page, psid, text: "hi", timestamp: Date.now() - 60_000 })]));
    await settled(page.channel.id);
    const { conversation } = (await conversationOf(page.channel.id, psid))!;
    const rows = await db()
      .insert(messages)
      .values(
        outbound.map((o) => ({
          workspaceId: conversation.workspaceId,
          conversationId: conversation.id,
          channelId: page.channel.id,
          role: "BOT" as const,
          text: o.text,
          status: o.status,
          platformMessageId: o.status === "sent" ? newMid() : null,
          sentAt: o.sentAt ?? null,
          createdAt: o.sentAt ?? new Date(),
        })),
      )
      .returning();
    return { ...page, psid, conversation, outbound: rows };
  }

  const statusOf = async (ids: string[]) =>
    Object.fromEntries(
      (await db().select().from(messages).where(inArray(messages.id, ids))).map((m) => [m.text, m.status]),
    );

  it("does not duplicate the echo of our own send, and stores a Page-inbox echo as an AGENT message from outside", async () => {
    const t = await threadWithOutbound([{ text: "ours", status: "sent", sentAt: new Date() }]);
    const ours = t.outbound[0]!;
    const inboxMid = newMid();
    await send(
      messengerWebhook([
        echoEvent({
          pageId: t.pageId,
          psid: t.psid,
          mid: ours.platformMessageId!,
          text: "ours",
          appId: Number(OUR_APP_ID),
        }),
        echoEvent({ pageId: t.pageId, psid: t.psid, mid: inboxMid, text: "Typed in the Page inbox" }),
        // Our app's echo of a send not recorded yet: the send job will store that message.
        echoEvent({
          pageId: t.pageId,
          psid: t.psid,
          mid: newMid(),
          text: "racing our send",
          appId: Number(OUR_APP_ID),
        }),
      ]),
    );
    await settled(t.channel.id);

    const stored = await messagesOf(t.channel.id);
    expect(stored.map((m) => [m.role, m.text])).toEqual([
      ["USER", "hi"],
      ["BOT", "ours"],
      ["AGENT", "Typed in the Page inbox"],
    ]);
    expect(stored[2]).toMatchObject({ status: "sent", sentFromOutside: true, platformMessageId: inboxMid });
    const conv = (await conversationOf(t.channel.id, t.psid))!.conversation;
    expect(conv).toMatchObject({ unreadCount: 1, lastMessagePreview: "Typed in the Page inbox" });
    expect(conv.humanRepliedAt).toBeInstanceOf(Date);
    // A person answered from another tool: the bot stops, as after an agent's reply in Tandem.
    expect(conv.autoBot).toBe(false);
  });

  it("recognises our own sends by the echoed metadata, whatever app id the echo names (later parts of a split reply)", async () => {
    const t = await threadWithOutbound([{ text: "first part… second part", status: "sent", sentAt: new Date() }]);
    const ours = t.outbound[0]!;
    await send(
      messengerWebhook([
        // The second part of a split reply has its own mid; an app id we do not know (no FB_APP_ID).
        echoEvent({ pageId: t.pageId, psid: t.psid, text: "second part", appId: 4242, metadata: `tandem:${ours.id}` }),
        // Metadata naming a message that is not ours on this channel proves nothing.
        echoEvent({ pageId: t.pageId, psid: t.psid, text: "other tool", appId: 4242, metadata: "tandem:msg_unknown" }),
      ]),
    );
    await settled(t.channel.id);
    expect((await messagesOf(t.channel.id)).map((m) => [m.role, m.text])).toEqual([
      ["USER", "hi"],
      ["BOT", "first part… second part"],
      ["AGENT", "other tool"],
    ]);
  });

  it("stores an echo to a customer we have not seen yet under that customer (the recipient)", async () => {
    const { pageId, channel } = await connectedPage();
    const psid = newPsid();
    await send(messengerWebhook([echoEvent({ pageId, psid, text: "We wrote first" })]));
    await settled(channel.id);
    const thread = await conversationOf(channel.id, psid);
    expect(thread?.contact.platformUserId).toBe(psid);
    expect((await messagesOf(channel.id)).map((m) => [m.role, m.sentFromOutside])).toEqual([["AGENT", true]]);
    expect(thread?.conversation.unreadCount).toBe(0);
  });

  it("moves statuses forward with delivery and read watermarks, never backwards", async () => {
    const now = Date.now();
    const t = await threadWithOutbound([
      { text: "early", status: "sent", sentAt: new Date(now - 30_000) },
      { text: "late", status: "sent", sentAt: new Date(now - 5_000) },
      { text: "failed", status: "failed" },
      { text: "queued", status: "queued" },
    ]);
    const ids = t.outbound.map((m) => m.id);
    const thread = { pageId: t.pageId, psid: t.psid };

    await send(messengerWebhook([deliveryEvent({ ...thread, watermark: now - 20_000 })]));
    await settled(t.channel.id);
    expect(await statusOf(ids)).toEqual({ early: "delivered", late: "sent", failed: "failed", queued: "queued" });

    // A delivery naming the late message by mid, though its watermark is older.
    await send(
      messengerWebhook([
        deliveryEvent({ ...thread, watermark: now - 20_000, mids: [t.outbound[1]!.platformMessageId!] }),
      ]),
    );
    await settled(t.channel.id);
    expect(await statusOf(ids)).toEqual({ early: "delivered", late: "delivered", failed: "failed", queued: "queued" });

    await send(messengerWebhook([readEvent({ ...thread, watermark: now - 10_000 })]));
    await settled(t.channel.id);
    expect(await statusOf(ids)).toEqual({ early: "read", late: "delivered", failed: "failed", queued: "queued" });

    await send(
      messengerWebhook([readEvent({ ...thread, watermark: now }), deliveryEvent({ ...thread, watermark: now })]),
    );
    await settled(t.channel.id);
    expect(await statusOf(ids)).toEqual({ early: "read", late: "read", failed: "failed", queued: "queued" });
    const [late] = await db().select().from(messages).where(eq(messages.id, t.outbound[1]!.id));
    expect(late?.readAt).toBeInstanceOf(Date);
    expect(late?.deliveredAt).toBeInstanceOf(Date);
    expect(socketEvents).toContainEqual(
      expect.objectContaining({
        event: "message:updated",
        payload: expect.objectContaining({ id: late!.id, status: "read" }),
      }),
    );
    // The customer's own message is not ours to mark.
    expect((await messagesOf(t.channel.id)).find((m) => m.role === "USER")?.status).toBe("received");
  });

  it("keeps the customer's last sign of life: messages and receipts move it, our own echoes do not", async () => {
    const t = await threadWithOutbound([{ text: "ours", status: "sent", sentAt: new Date(Date.now() - 120_000) }]);
    const contactOf = async () => (await conversationOf(t.channel.id, t.psid))!.contact;
    const afterMessage = (await contactOf()).lastSeenAt;
    expect(afterMessage).toBeInstanceOf(Date);

    // An hour of silence, then their app reports reading: active again, and the inbox hears of it.
    await db()
      .update(contacts)
      .set({ lastSeenAt: new Date(Date.now() - 3_600_000) })
      .where(eq(contacts.platformUserId, t.psid));
    const before = socketEvents.length;
    await send(messengerWebhook([readEvent({ pageId: t.pageId, psid: t.psid, watermark: Date.now() })]));
    await settled(t.channel.id);
    const seen = (await contactOf()).lastSeenAt!;
    expect(Date.now() - seen.getTime()).toBeLessThan(60_000);
    const updates = socketEvents.slice(before).filter((e) => e.event === SOCKET_EVENTS.conversationUpdated);
    expect(updates.map((u) => u.payload.id)).toContain(t.conversation.id);

    // The Page writing to them (an echo) is not the customer being around.
    await send(messengerWebhook([echoEvent({ pageId: t.pageId, psid: t.psid, text: "From the Page inbox" })]));
    await settled(t.channel.id);
    expect((await contactOf()).lastSeenAt).toEqual(seen);
  });

  it("stores reactions on the target message and removes them on unreact", async () => {
    const t = await threadWithOutbound([{ text: "react to me", status: "sent", sentAt: new Date() }]);
    const target = t.outbound[0]!;
    const thread = { pageId: t.pageId, psid: t.psid, mid: target.platformMessageId! };
    await send(messengerWebhook([reactionEvent({ ...thread, reaction: "love" })]));
    await settled(t.channel.id);
    let [row] = await db().select().from(messages).where(eq(messages.id, target.id));
    expect(row?.reactions).toEqual({ [t.psid]: "❤️" });

    await send(messengerWebhook([reactionEvent({ ...thread, action: "unreact" })]));
    await settled(t.channel.id);
    [row] = await db().select().from(messages).where(eq(messages.id, target.id));
    expect(row?.reactions).toEqual({});
  });
});

describe("contact profiles", () => {
  it("marks the channel reconnect-needed when Facebook rejects the Page token (190), and the message still lands", async () => {
    const { pageId, channel } = await connectedPage({ token: "EAA-revoked-token" });
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId, psid, text: "still here" })]));
    await settled(channel.id);
    expect((await messagesOf(channel.id)).map((m) => m.text)).toEqual(["still here"]);
    const after = await waitFor(async () => {
      const row = await channelRow(channel.id);
      return row.status === "reconnect_needed" ? row : null;
    }, "the channel to need reconnecting");
    expect(after.statusReason).toMatch(/token/i);
    expect((await conversationOf(channel.id, psid))?.contact.name).toBeNull();
  });

  it("loads name and picture without locale when the app may not read locale (error 100 / 2018247)", async () => {
    const { pageId, channel } = await connectedPage();
    graph.state.pages.get(pageId)!.restrictedProfileFields = ["locale"];
    const psid = newPsid();
    graph.state.addUser({ psid, firstName: "Grace", lastName: "Hopper", locale: "en_US" });
    await send(messengerWebhook([textEvent({ pageId, psid, text: "hello" })]));

    const contact = await waitFor(async () => {
      const row = await conversationOf(channel.id, psid);
      return row?.contact.profileFetchedAt ? row.contact : null;
    }, "the profile");
    expect(contact).toMatchObject({ name: "Grace Hopper", firstName: "Grace", lastName: "Hopper", locale: null });
    expect(contact.pictureUrl).toMatch(/^http/);
    const reads = graph.calls.filter((c) => c.method === "GET" && c.path.endsWith(`/${psid}`));
    expect(reads.map((c) => [c.query.fields, c.status])).toEqual([
      ["first_name,last_name,profile_pic,locale", 400],
      ["first_name,last_name,profile_pic", 200],
    ]);
    expect(reads[0]!.response).toMatchObject({
      error: { code: 100, error_subcode: 2018247, type: "OAuthException", fbtrace_id: expect.any(String) },
    });
  });

  it("keeps the message when Facebook has no profile (2018218), and does not ask again", async () => {
    const { pageId, channel } = await connectedPage();
    const psid = newPsid();
    graph.state.addUser({ psid, firstName: "Hidden", lastName: "Person", profileUnavailable: true });
    await send(messengerWebhook([textEvent({ pageId, psid, text: "first" })]));
    const contact = await waitFor(async () => {
      const row = await conversationOf(channel.id, psid);
      return row?.contact.profileFetchedAt ? row.contact : null;
    }, "the profile fetch to give up");
    expect(contact).toMatchObject({ name: null, firstName: null, pictureUrl: null });
    expect((await jobWithKey("fetch-contact-profile", `profile:${contact.id}`))?.attempts).toBe(1);

    await send(messengerWebhook([textEvent({ pageId, psid, text: "second" })]));
    await settled(channel.id);
    expect((await messagesOf(channel.id)).map((m) => [m.text, m.status])).toEqual([
      ["first", "received"],
      ["second", "received"],
    ]);
    // Neither a retry without locale nor a new fetch for the second message.
    const reads = graph.calls.filter((c) => c.method === "GET" && c.path.endsWith(`/${psid}`));
    expect(reads.map((c) => c.status)).toEqual([400]);
    expect(reads[0]!.response).toMatchObject({ error: { code: 100, error_subcode: 2018218 } });
  });
});

describe("recovery", () => {
  it("re-enqueues inbound events stored but never enqueued (the process died after the 200)", async () => {
    const { pageId, channel } = await connectedPage();
    const body = Buffer.from(
      serializeLikeMeta(messengerWebhook([textEvent({ pageId, psid: newPsid(), text: "survivor" })])),
    );
    const deps = { db: db(), config: runtime.config, log: silentLogger, queue: null, limiter: runtime.limiter };
    expect(
      await receiveMessengerWebhook(deps, { rawBody: body, signature: signMessengerBody(APP_SECRET, body) }),
    ).toEqual({
      pending: 1,
      ignored: 0,
    });
    const [event] = await db().select().from(inboundEvents).where(eq(inboundEvents.channelId, channel.id));
    expect(event?.status).toBe("pending");

    expect(await recoverInboundEvents({ db: db(), log: silentLogger, queue })).toBeGreaterThanOrEqual(1);
    await settled(channel.id);
    expect((await messagesOf(channel.id)).map((m) => m.text)).toEqual(["survivor"]);
    // Running it again finds nothing left to do for this event.
    await recoverInboundEvents({ db: db(), log: silentLogger, queue });
    expect(await messagesOf(channel.id)).toHaveLength(1);
  });
});

describe("POST /api/webhooks/messenger/data-deletion", () => {
  const signedRequest = (payload: object, secret = APP_SECRET) => {
    const encoded = Buffer.from(JSON.stringify(payload)).toString("base64url");
    return `${createHmac("sha256", secret).update(encoded).digest("base64url")}.${encoded}`;
  };
  const deletionUrl = () => `${base}/api/webhooks/messenger/data-deletion`;
  const postForm = (signed: string) =>
    fetch(deletionUrl(), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ signed_request: signed }),
    });

  it("erases the user's profile and message text in every workspace and reports the status", async () => {
    const psid = newPsid();
    const first = await connectedPage();
    const second = await connectedPage();
    for (const page of [first, second]) {
      await send(
        messengerWebhook([
          textEvent({ pageId: page.pageId, psid, text: "my address is 1 Main St" }),
          attachmentEvent({
            pageId: page.pageId,
            psid,
            attachments: [{ type: "image", payload: { url: "https://x/me.jpg" } }],
          }),
        ]),
      );
      await settled(page.channel.id);
    }
    await waitFor(async () => (await conversationOf(first.channel.id, psid))?.contact.profileFetchedAt, "the profile");
    const bystander = newPsid();
    await send(messengerWebhook([textEvent({ pageId: first.pageId, psid: bystander, text: "keep me" })]));
    await settled(first.channel.id);

    const res = await postForm(signedRequest({ algorithm: "HMAC-SHA256", issued_at: 1_750_000_000, user_id: psid }));
    expect(res.status).toBe(200);
    const { url, confirmation_code } = await res.json();
    expect(url).toBe(`${runtime.config.appUrl}/api/webhooks/messenger/data-deletion/${confirmation_code}`);

    for (const page of [first, second]) {
      const thread = (await conversationOf(page.channel.id, psid))!;
      expect(thread.contact).toMatchObject({
        name: null,
        firstName: null,
        pictureUrl: null,
        locale: null,
        metadata: {},
      });
      expect(thread.contact.erasedAt).toBeInstanceOf(Date);
      const userMessages = (await messagesOf(page.channel.id)).filter(
        (m) => m.conversationId === thread.conversation.id,
      );
      expect(userMessages.map((m) => [m.text, m.attachments])).toEqual([
        [null, []],
        [null, []],
      ]);
    }
    expect((await messagesOf(first.channel.id)).map((m) => m.text)).toContain("keep me");
    const raw = await db().select().from(inboundEvents).where(eq(inboundEvents.channelId, second.channel.id));
    expect(JSON.stringify(raw.map((r) => r.payload))).not.toContain("Main St");

    const status = await fetch(url.replace(runtime.config.appUrl, base));
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ confirmationCode: confirmation_code, status: "completed" });
    // The person Meta sends to this URL gets a page, not JSON.
    const page = await fetch(url.replace(runtime.config.appUrl, base), {
      headers: { accept: "text/html,application/xhtml+xml,*/*;q=0.8" },
    });
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain("Your data has been deleted.");
    expect(html).toContain(confirmation_code);
    expect(html).not.toContain(psid);
  });

  it("also erases their reactions and the conversation's summary, and content of entries not processed yet", async () => {
    const psid = newPsid();
    const page = await connectedPage();
    await send(messengerWebhook([textEvent({ pageId: page.pageId, psid, text: "my card ends 4242" })]));
    await settled(page.channel.id);
    const { conversation } = (await conversationOf(page.channel.id, psid))!;
    const [ours] = await db()
      .insert(messages)
      .values({
        workspaceId: conversation.workspaceId,
        conversationId: conversation.id,
        channelId: page.channel.id,
        role: "BOT",
        text: "Thanks!",
        status: "sent",
        platformMessageId: newMid(),
        reactions: { [psid]: "❤", someone_else: "👍" },
      })
      .returning();
    await db()
      .update(conversations)
      .set({ summary: "Customer's card ends 4242", summaryMessageCount: 2 })
      .where(eq(conversations.id, conversation.id));
    // Stored before the request, not processed yet: its job has not run.
    const waitingEntry = (text: string, receivedAt?: Date) => ({
      channelId: page.channel.id,
      workspaceId: conversation.workspaceId,
      source: "messenger" as const,
      externalId: page.pageId,
      signatureOk: true,
      status: "pending" as const,
      payload: messengerWebhook([textEvent({ pageId: page.pageId, psid, text })]).entry[0]!,
      ...(receivedAt ? { receivedAt } : {}),
    });
    const [pending] = await db().insert(inboundEvents).values(waitingEntry("pending secret")).returning();

    const res = await postForm(signedRequest({ algorithm: "HMAC-SHA256", user_id: psid }));
    expect(res.status).toBe(200);
    expect((await db().select().from(messages).where(eq(messages.id, ours!.id)))[0]!.reactions).toEqual({
      someone_else: "👍",
    });
    const [after] = await db().select().from(conversations).where(eq(conversations.id, conversation.id));
    expect(after!.summary).toBeNull();
    const [redacted] = await db().select().from(inboundEvents).where(eq(inboundEvents.id, pending!.id));
    expect(JSON.stringify(redacted!.payload)).not.toContain("pending secret");

    // An entry that arrived before the request but whose job read it first (simulated: inserted now,
    // with its arrival time in the past) is stored without its content.
    const [raced] = await db()
      .insert(inboundEvents)
      .values(waitingEntry("raced secret", new Date(Date.now() - 60_000)))
      .returning();
    await queue.enqueueMany(
      processInboundEvent,
      [pending!, raced!].map((e) => ({ payload: { eventId: e.id }, workspaceId: conversation.workspaceId })),
    );
    await settled(page.channel.id);
    const texts = (await messagesOf(page.channel.id)).map((m) => [m.role, m.text]);
    expect(texts).toEqual([
      ["USER", null],
      ["BOT", "Thanks!"],
      ["USER", null],
    ]);
    // A later message is new data: stored as written.
    await send(messengerWebhook([textEvent({ pageId: page.pageId, psid, text: "hello again" })]));
    await settled(page.channel.id);
    expect((await messagesOf(page.channel.id)).at(-1)!.text).toBe("hello again");
  });

  it("erases only the user's events from a batched entry; the other customer's are still processed", async () => {
    const page = await connectedPage();
    const [leaving, staying] = [newPsid(), newPsid()];
    const batch = messengerWebhook([
      textEvent({ pageId: page.pageId, psid: leaving, text: "erase me please" }),
      textEvent({ pageId: page.pageId, psid: staying, text: "I am staying" }),
    ]);
    const [entry] = await db()
      .insert(inboundEvents)
      .values({
        channelId: page.channel.id,
        workspaceId: page.ws.workspace.id,
        source: "messenger",
        externalId: page.pageId,
        signatureOk: true,
        status: "pending",
        payload: batch.entry[0]!,
      })
      .returning();

    expect((await postForm(signedRequest({ algorithm: "HMAC-SHA256", user_id: leaving }))).status).toBe(200);
    const [redacted] = await db().select().from(inboundEvents).where(eq(inboundEvents.id, entry!.id));
    const payload = redacted!.payload as { redacted?: boolean; messaging: { sender: { id: string } }[] };
    expect(payload.redacted).toBe(true);
    expect(payload.messaging.map((m) => m.sender.id)).toEqual([staying]);

    await queue.enqueue(processInboundEvent, { eventId: entry!.id }, { workspaceId: page.ws.workspace.id });
    await settled(page.channel.id);
    expect((await messagesOf(page.channel.id)).map((m) => m.text)).toEqual(["I am staying"]);
  });

  it("finds the person's PSIDs from the app-scoped id Meta sends (ID Matching API)", async () => {
    const page = await connectedPage();
    const psid = newPsid();
    const asid = `asid${psid}`;
    graph.state.addUser({ psid, firstName: "Ada", lastName: "Lovelace", asid, pageId: page.pageId });
    await send(messengerWebhook([textEvent({ pageId: page.pageId, psid, text: "my phone is 555-0100" })]));
    await settled(page.channel.id);

    const res = await postForm(signedRequest({ algorithm: "HMAC-SHA256", user_id: asid }));
    expect(res.status).toBe(200);
    const { confirmation_code } = await res.json();
    expect((await messagesOf(page.channel.id)).map((m) => m.text)).toEqual([null]);
    const thread = (await conversationOf(page.channel.id, psid))!;
    expect(thread.contact.erasedAt).toBeInstanceOf(Date);
    const [request] = await db()
      .select()
      .from(dataDeletionRequests)
      .where(eq(dataDeletionRequests.confirmationCode, confirmation_code));
    expect(request!.details).toMatchObject({ idMatching: { psids: 1 }, contacts: 1, messages: 1 });
    const call = graph.calls.findLast((c) => c.path.endsWith("/ids_for_pages"));
    expect(call).toMatchObject({ method: "GET", status: 200 });
  });

  it("still erases by the id Meta sent when the ID Matching API fails, and says so", async () => {
    const page = await connectedPage();
    const psid = newPsid();
    await send(messengerWebhook([textEvent({ pageId: page.pageId, psid, text: "delete this" })]));
    await settled(page.channel.id);
    const saved = runtime.config.facebook.graphApiUrl;
    runtime.config.facebook.graphApiUrl = "http://127.0.0.1:9"; // Graph unreachable
    try {
      const res = await postForm(signedRequest({ algorithm: "HMAC-SHA256", user_id: psid }));
      expect(res.status).toBe(200);
      const { confirmation_code } = await res.json();
      const [request] = await db()
        .select()
        .from(dataDeletionRequests)
        .where(eq(dataDeletionRequests.confirmationCode, confirmation_code));
      expect(request).toMatchObject({ status: "completed", details: { contacts: 1, messages: 1 } });
      expect(request!.details.idMatching).toMatchObject({ error: expect.any(String) });
      expect((await messagesOf(page.channel.id)).map((m) => m.text)).toEqual([null]);
    } finally {
      runtime.config.facebook.graphApiUrl = saved;
    }
  });

  it("refuses a request not signed with the App Secret, and 404s an unknown code", async () => {
    const forged = await postForm(signedRequest({ algorithm: "HMAC-SHA256", user_id: "1" }, "someone-else"));
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.code).toBe("invalid_signature");
    expect((await postForm("garbage")).status).toBe(401);
    const missing = await fetch(deletionUrl(), { method: "POST", body: new URLSearchParams({}) });
    expect(missing.status).toBe(400);
    expect((await fetch(`${deletionUrl()}/no-such-code`)).status).toBe(404);
  });
});
