/** The fake LINE platform over real sockets: its API served by @hono/node-server, its webhooks
 * received by a plain node:http server that sees the raw bytes. */
import { createHmac, randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { asLineRedelivery, createLineCustomer, lineGroup, lineUser, postSignedLineWebhook } from "./customer/line.ts";
import { createLineSimulator, type LineCall } from "./line/app.ts";
import { SAMPLE_JPEG } from "./line/media.ts";
import { createSimulator, DEMO_LINE_CHANNEL, DEMO_LINE_GROUP, DEMO_LINE_USERS } from "./simulator.ts";

let clock = Date.now();
const simulator = createSimulator({ basePath: "/_simulator", seedDemo: true, line: { now: () => clock } });
const customer = createLineCustomer(simulator.line, DEMO_LINE_CHANNEL.channelId);
const USER = DEMO_LINE_USERS[0]!;
const TOKEN = DEMO_LINE_CHANNEL.channelAccessToken;
let server: ReturnType<typeof serve>;
let base = "";
let api = "";
let data = "";

/** A webhook receiver: answers `answer.status` after `answer.delayMs`, keeps every request's raw body. */
let hook: Server;
let hookUrl = "";
const received: { headers: IncomingMessage["headers"]; raw: Buffer }[] = [];
const answer = { status: 200, delayMs: 0 };

beforeAll(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      base = `http://127.0.0.1:${info.port}/_simulator`;
      api = `${base}/line/api`;
      data = `${base}/line/data`;
      resolve();
    });
  });
  hook = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
    setTimeout(() => res.writeHead(answer.status).end("ok"), answer.delayMs);
  });
  hook.listen(0, "127.0.0.1");
  await once(hook, "listening");
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/callback`;
});

afterAll(async () => {
  hook.closeAllConnections();
  hook.close();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  simulator.reset();
  clock = Date.now();
  received.length = 0;
  Object.assign(answer, { status: 200, delayMs: 0 });
});

async function call(method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const type = response.headers.get("content-type") ?? "";
  const json = type.includes("json") ? await response.json() : undefined;
  return { status: response.status, headers: response.headers, json };
}

const text = (value: string) => ({ type: "text", text: value });
const push = (to: string, messages: unknown[], retryKey?: string) =>
  call("POST", `${api}/v2/bot/message/push`, { to, messages }, retryKey ? { "x-line-retry-key": retryKey } : {});
const reply = (replyToken: string, messages: unknown[] = [text("Hello")]) =>
  call("POST", `${api}/v2/bot/message/reply`, { replyToken, messages });

describe("auth", () => {
  it("refuses a missing, unknown or revoked token with 401 and LINE's message", async () => {
    const missing = await fetch(`${api}/v2/bot/info`);
    const unknown = await fetch(`${api}/v2/bot/info`, { headers: { authorization: "Bearer nope" } });
    const rotated = await fetch(`${base}/_control/line/channels/${DEMO_LINE_CHANNEL.channelId}/revoke-token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    const revoked = await call("GET", `${api}/v2/bot/info`);

    expect(missing.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({
      message: "Authentication failed. Confirm that the access token in the authorization header is valid.",
    });
    expect(unknown.headers.get("x-line-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const { channelAccessToken } = (await rotated.json()) as { channelAccessToken: string };
    expect(revoked.status).toBe(401);
    const fresh = await fetch(`${api}/v2/bot/info`, { headers: { authorization: `Bearer ${channelAccessToken}` } });
    expect(await fresh.json()).toEqual({
      userId: DEMO_LINE_CHANNEL.userId,
      basicId: DEMO_LINE_CHANNEL.basicId,
      displayName: DEMO_LINE_CHANNEL.displayName,
      chatMode: "bot",
      markAsReadMode: "auto",
    });
  });
});

describe("reply", () => {
  it("accepts a reply token once, then answers Invalid reply token", async () => {
    const event = customer.text(lineUser(USER.userId), "hi");
    const first = await reply(event.replyToken ?? "", [
      text("one"),
      { type: "sticker", packageId: "446", stickerId: "1988" },
    ]);
    const again = await reply(event.replyToken ?? "");

    expect(first.status).toBe(200);
    expect(first.json.sentMessages).toEqual([
      { id: expect.stringMatching(/^\d{18}$/), quoteToken: expect.any(String) },
      { id: expect.stringMatching(/^\d{18}$/), quoteToken: expect.any(String) },
    ]);
    expect(again).toMatchObject({ status: 400, json: { message: "Invalid reply token" } });
    expect(simulator.line.state.outbox).toEqual([
      expect.objectContaining({ kind: "reply", chatType: "user", chatId: USER.userId, replyToken: event.replyToken }),
    ]);
    // Replies are free.
    expect((await call("GET", `${api}/v2/bot/message/quota/consumption`)).json).toEqual({ totalUsage: 0 });
  });

  it("expires a reply token after its lifetime", async () => {
    const event = customer.text(lineGroup(DEMO_LINE_GROUP.groupId, USER.userId), "hello group");
    clock += 60_001;
    expect(await reply(event.replyToken ?? "")).toMatchObject({
      status: 400,
      json: { message: "Invalid reply token" },
    });

    await fetch(`${base}/_control/line/settings`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ replyTokenTtlMs: 120_000 }),
    });
    const later = customer.text(lineGroup(DEMO_LINE_GROUP.groupId, USER.userId), "again");
    clock += 90_000;
    expect((await reply(later.replyToken ?? "")).status).toBe(200);
    expect(simulator.line.state.outbox[0]).toMatchObject({ chatType: "group", chatId: DEMO_LINE_GROUP.groupId });
  });

  it("issues no reply token in standby mode nor for unfollow", () => {
    expect(customer.text(lineUser(USER.userId), "x", { mode: "standby" }).replyToken).toBeUndefined();
    expect(customer.unfollow(lineUser(USER.userId)).replyToken).toBeUndefined();
    expect(customer.follow(lineUser(USER.userId)).replyToken).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe("push", () => {
  it("answers a repeated retry key with 409 and the accepted request, without sending twice", async () => {
    const key = randomUUID();
    const first = await push(USER.userId, [text("once")], key);
    const repeat = await push(USER.userId, [text("once")], key);
    const badKey = await push(USER.userId, [text("once")], "not-a-uuid");

    expect(first.status).toBe(200);
    expect(repeat.status).toBe(409);
    expect(repeat.json).toEqual({
      message: "The retry key is already accepted",
      sentMessages: first.json.sentMessages,
    });
    expect(repeat.headers.get("x-line-accepted-request-id")).toBe(first.headers.get("x-line-request-id"));
    expect(badKey.status).toBe(400);
    expect(simulator.line.state.outbox).toHaveLength(1);
    expect((await call("GET", `${api}/v2/bot/message/quota/consumption`)).json).toEqual({ totalUsage: 1 });
  });

  it("counts pushes against the monthly quota (a group costs one per member) and refuses beyond it", async () => {
    await fetch(`${base}/_control/line/channels/${DEMO_LINE_CHANNEL.channelId}/quota`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ monthlyQuota: 3 }),
    });
    expect((await push(DEMO_LINE_GROUP.groupId, [text("all"), text("of you")])).status).toBe(200);
    expect((await push(USER.userId, [text("last one")])).status).toBe(200);
    const over = await push(USER.userId, [text("too many")]);

    expect(over).toMatchObject({ status: 429, json: { message: "You have reached your monthly limit." } });
    expect((await call("GET", `${api}/v2/bot/message/quota`)).json).toEqual({ type: "limited", value: 3 });
    expect((await call("GET", `${api}/v2/bot/message/quota/consumption`)).json).toEqual({ totalUsage: 3 });
  });

  it("validates messages like LINE, every problem with its property", async () => {
    const long = await push(USER.userId, [text("a".repeat(5001))]);
    const exact = await push(USER.userId, [text("é".repeat(5000))]);
    const six = await push(
      USER.userId,
      Array.from({ length: 6 }, () => text("x")),
    );
    const mixed = await push(USER.userId, [
      { type: "image", originalContentUrl: "http://example.com/a.jpg", previewImageUrl: "https://example.com/p.jpg" },
      { type: "carousel" },
      { type: "text", text: "" },
    ]);
    const badTo = await push("someone", [text("x")]);

    expect(long).toMatchObject({
      status: 400,
      json: {
        message: "The request body has 1 error(s)",
        details: [{ message: "Length must be between 0 and 5000", property: "messages[0].text" }],
      },
    });
    expect(exact.status).toBe(200);
    expect(six.json.details).toEqual([{ message: "Size must be between 1 and 5", property: "messages" }]);
    expect(mixed.json.message).toBe("The request body has 3 error(s)");
    expect(mixed.json.details.map((d: { property: string }) => d.property)).toEqual([
      "messages[0].originalContentUrl",
      "messages[1].type",
      "messages[2].text",
    ]);
    expect(badTo.status).toBe(400);
  });
});

describe("loading, profiles, content", () => {
  it("starts the loading animation in 1:1 chats only, 5–60 s in steps of 5", async () => {
    const ok = await call("POST", `${api}/v2/bot/chat/loading/start`, { chatId: USER.userId, loadingSeconds: 10 });
    const odd = await call("POST", `${api}/v2/bot/chat/loading/start`, { chatId: USER.userId, loadingSeconds: 7 });
    const group = await call("POST", `${api}/v2/bot/chat/loading/start`, { chatId: DEMO_LINE_GROUP.groupId });

    expect(ok).toMatchObject({ status: 202, json: {} });
    expect(odd.json.details).toEqual([expect.objectContaining({ property: "loadingSeconds" })]);
    expect(group.status).toBe(400);
  });

  it("serves profiles, group summaries and members, 404 for strangers", async () => {
    const profile = await call("GET", `${api}/v2/bot/profile/${USER.userId}`);
    const unknown = await call("GET", `${api}/v2/bot/profile/U00000000000000000000000000000000`);
    const summary = await call("GET", `${api}/v2/bot/group/${DEMO_LINE_GROUP.groupId}/summary`);
    const member = await call("GET", `${api}/v2/bot/group/${DEMO_LINE_GROUP.groupId}/member/${USER.userId}`);

    expect(profile.json).toEqual({
      displayName: USER.displayName,
      userId: USER.userId,
      statusMessage: USER.statusMessage,
      language: USER.language,
    });
    expect(unknown).toMatchObject({ status: 404, json: { message: "Not found" } });
    expect(summary.json).toEqual({ groupId: DEMO_LINE_GROUP.groupId, groupName: DEMO_LINE_GROUP.groupName });
    expect(member.json).toEqual({ displayName: USER.displayName, userId: USER.userId });
  });

  it("serves what the customer sent on the data host only, with its content type", async () => {
    const image = customer.image(lineUser(USER.userId));
    const file = customer.file(lineUser(USER.userId), { fileName: "menu.pdf" });
    const id = image.message.id;
    const auth = { authorization: `Bearer ${TOKEN}` };

    const bytes = await fetch(`${data}/v2/bot/message/${id}/content`, { headers: auth });
    const pdf = await fetch(`${data}/v2/bot/message/${file.message.id}/content`, { headers: auth });
    const onApiHost = await fetch(`${api}/v2/bot/message/${id}/content`, { headers: auth });
    const text = customer.text(lineUser(USER.userId), "not media");
    const none = await fetch(`${data}/v2/bot/message/${text.message.id}/content`, {
      headers: auth,
    });

    expect(bytes.headers.get("content-type")).toBe("image/jpeg");
    expect(Buffer.from(await bytes.arrayBuffer()).equals(SAMPLE_JPEG)).toBe(true);
    expect(pdf.headers.get("content-type")).toBe("application/pdf");
    expect(file.message).toMatchObject({
      type: "file",
      fileName: "menu.pdf",
      fileSize: Number(pdf.headers.get("content-length")),
    });
    expect(onApiHost.status).toBe(404);
    expect(none.status).toBe(404);
  });
});

describe("webhooks", () => {
  it("sets the endpoint, tests it with a signed empty delivery, and reports failures", async () => {
    const set = await call("PUT", `${api}/v2/bot/channel/webhook/endpoint`, { endpoint: hookUrl });
    const got = await call("GET", `${api}/v2/bot/channel/webhook/endpoint`);
    const tested = await call("POST", `${api}/v2/bot/channel/webhook/test`, {});
    answer.status = 500;
    const failing = await call("POST", `${api}/v2/bot/channel/webhook/test`, {});
    const unreachable = await call("POST", `${api}/v2/bot/channel/webhook/test`, { endpoint: "http://127.0.0.1:1/x" });

    expect(set.status).toBe(200);
    expect(got.json).toEqual({ endpoint: hookUrl, active: true });
    expect(tested.json).toEqual({
      success: true,
      timestamp: expect.any(String),
      statusCode: 200,
      reason: "OK",
      detail: "200",
    });
    expect(failing.json).toMatchObject({ success: false, statusCode: 500, reason: "ERROR_STATUS_CODE" });
    expect(unreachable.json).toMatchObject({ success: false, statusCode: 0, reason: "COULD_NOT_CONNECT" });
    const first = received[0]!;
    expect(JSON.parse(first.raw.toString())).toEqual({ destination: DEMO_LINE_CHANNEL.userId, events: [] });
    expect(first.headers["x-line-signature"]).toBe(
      createHmac("sha256", DEMO_LINE_CHANNEL.channelSecret).update(first.raw).digest("base64"),
    );
  });

  it("times a slow endpoint out like LINE", async () => {
    const impatient = createLineSimulator({
      channels: [{ ...DEMO_LINE_CHANNEL, webhookEndpoint: hookUrl, webhookActive: true }],
      webhookTimeoutMs: 100,
    });
    answer.delayMs = 400;
    const result = await impatient.deliver(DEMO_LINE_CHANNEL.channelId, {
      destination: DEMO_LINE_CHANNEL.userId,
      events: [],
    });
    expect(result).toMatchObject({ success: false, statusCode: 0, reason: "REQUEST_TIMEOUT" });
  });

  it("builds webhook bodies as LINE sends them and signs the exact bytes", async () => {
    const group = lineGroup(DEMO_LINE_GROUP.groupId, USER.userId);
    const body = customer.webhook([
      customer.text(group, "สวัสดี 😀 $", {
        emojis: [{ index: 9, length: 1, productId: "5ac1bfd5040ab15980c9b435", emojiId: "001" }],
        mentionees: [{ type: "user", index: 0, length: 6, userId: DEMO_LINE_CHANNEL.userId, isSelf: true }],
      }),
      customer.sticker(lineUser(USER.userId), { packageId: "446", stickerId: "1988" }),
      customer.location(lineUser(USER.userId), {
        title: "Shop",
        address: "Bangkok",
        latitude: 13.75,
        longitude: 100.5,
      }),
      customer.postback(lineUser(USER.userId), { data: "action=buy&id=1", params: { date: "2026-12-24" } }),
      customer.unsend(lineUser(USER.userId), "600000000000000001"),
      customer.join(lineGroup(DEMO_LINE_GROUP.groupId)),
      customer.memberJoined(lineGroup(DEMO_LINE_GROUP.groupId), [USER.userId]),
    ]);
    await postSignedLineWebhook(hookUrl, body, DEMO_LINE_CHANNEL.channelSecret);
    await postSignedLineWebhook(hookUrl, asLineRedelivery(body), DEMO_LINE_CHANNEL.channelSecret);

    const [sent, redelivered] = received;
    const parsed = JSON.parse(sent!.raw.toString("utf8"));
    expect(sent!.headers["x-line-signature"]).toBe(
      createHmac("sha256", DEMO_LINE_CHANNEL.channelSecret).update(sent!.raw).digest("base64"),
    );
    expect(parsed.destination).toBe(DEMO_LINE_CHANNEL.userId);
    expect(parsed.events[0]).toMatchObject({
      type: "message",
      mode: "active",
      webhookEventId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      deliveryContext: { isRedelivery: false },
      source: { type: "group", groupId: DEMO_LINE_GROUP.groupId, userId: USER.userId },
      replyToken: expect.any(String),
      message: {
        type: "text",
        text: "สวัสดี 😀 $",
        quoteToken: expect.any(String),
        mention: { mentionees: [expect.any(Object)] },
      },
    });
    expect(parsed.events.map((e: { type: string }) => e.type)).toEqual([
      "message",
      "message",
      "message",
      "postback",
      "unsend",
      "join",
      "memberJoined",
    ]);
    expect(parsed.events[5].source).toEqual({ type: "group", groupId: DEMO_LINE_GROUP.groupId });
    const again = JSON.parse(redelivered!.raw.toString("utf8"));
    expect(again.events[0].deliveryContext).toEqual({ isRedelivery: true });
    expect(again.events[0].webhookEventId).toBe(parsed.events[0].webhookEventId);
  });
});

describe("faults", () => {
  const addFault = (fault: Record<string, unknown>) =>
    fetch(`${base}/_control/line/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(fault),
    });

  it.each([
    ["server_error", 500],
    ["unavailable", 503],
    ["rate_limit", 429],
    ["token_revoked", 401],
  ])("%s fails the next push with HTTP %i, then clears", async (kind, status) => {
    await addFault({ kind, on: "push" });
    const failed = await push(USER.userId, [text("x")]);
    const retried = await push(USER.userId, [text("x")]);
    expect(failed.status).toBe(status);
    expect(failed.json).toEqual({ message: expect.any(String) });
    expect(retried.status).toBe(200);
  });

  it("hits only its target, `times` times, and a failed push does not consume its retry key", async () => {
    await addFault({ kind: "server_error", on: "reply", times: 2 });
    const key = randomUUID();
    expect((await push(USER.userId, [text("not a reply")], key)).status).toBe(200);
    const event = customer.text(lineUser(USER.userId), "hi");
    expect((await reply(event.replyToken ?? "")).status).toBe(500);
    expect((await reply(event.replyToken ?? "")).status).toBe(500);
    expect((await reply(event.replyToken ?? "")).status).toBe(200);

    await addFault({ kind: "unavailable", on: "push" });
    const other = randomUUID();
    expect((await push(USER.userId, [text("retry me")], other)).status).toBe(503);
    expect((await push(USER.userId, [text("retry me")], other)).status).toBe(200);
  });

  it("cuts the connection or answers too late", async () => {
    await addFault({ kind: "network_reset", on: "profile" });
    await expect(call("GET", `${api}/v2/bot/profile/${USER.userId}`)).rejects.toThrow();
    expect((await call("GET", `${api}/v2/bot/profile/${USER.userId}`)).status).toBe(200);

    await addFault({ kind: "timeout", on: "info", delayMs: 500 });
    const slow = fetch(`${api}/v2/bot/info`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      signal: AbortSignal.timeout(100),
    });
    await expect(slow).rejects.toMatchObject({ name: "TimeoutError" });
  });

  it("records calls without the token and the outbox per chat", async () => {
    await push(USER.userId, [text("to Ploy")]);
    await push(DEMO_LINE_GROUP.groupId, [text("to the group")]);
    const calls = (await (await fetch(`${base}/_control/line/calls`)).json()) as { data: LineCall[] };
    const outbox = await (await fetch(`${base}/_control/line/outbox?chatId=${DEMO_LINE_GROUP.groupId}`)).json();

    expect(calls.data.map((c) => [c.host, c.path, c.status, c.channelId])).toEqual([
      ["api", "/v2/bot/message/push", 200, DEMO_LINE_CHANNEL.channelId],
      ["api", "/v2/bot/message/push", 200, DEMO_LINE_CHANNEL.channelId],
    ]);
    expect(JSON.stringify(calls.data)).not.toContain(TOKEN);
    expect(outbox.data).toEqual([
      expect.objectContaining({ position: 2, kind: "push", chatType: "group", messages: [text("to the group")] }),
    ]);
  });
});
