/** The LINE client against the simulator's fake LINE platform over real HTTP. */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createLineCustomer,
  DEMO_LINE_CHANNEL,
  DEMO_LINE_GROUP,
  DEMO_LINE_USERS,
  type LineFault,
  lineUser,
  SAMPLE_JPEG,
  type ServedSimulator,
  serveSimulator,
} from "@tandem/simulator";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLineClient, lineRetryKey } from "./client.ts";
import { LineApiError } from "./errors.ts";
import { verifyLineSignature } from "./signature.ts";

const TOKEN = DEMO_LINE_CHANNEL.channelAccessToken;
const USER = DEMO_LINE_USERS[0]!;
let served: ServedSimulator;
let line: ReturnType<typeof createLineClient>;
let hook: Server;
let hookUrl = "";
const received: { headers: IncomingMessage["headers"]; raw: Buffer }[] = [];

beforeAll(async () => {
  served = await serveSimulator({ basePath: "/_simulator", seedDemo: true });
  hook = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
    res.writeHead(200).end();
  });
  hook.listen(0, "127.0.0.1");
  await once(hook, "listening");
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/api/v1/integrations/line/bot_1/webhook`;
});
afterAll(async () => {
  hook.close();
  await served.close();
});
beforeEach(() => {
  served.simulator.reset();
  received.length = 0;
  line = client();
});

const client = (options: Partial<Parameters<typeof createLineClient>[0]> = {}) =>
  createLineClient({ apiUrl: `${served.url}/line/api`, dataApiUrl: `${served.url}/line/data`, ...options });
const customer = () => createLineCustomer(served.simulator.line, DEMO_LINE_CHANNEL.channelId);
const fault = (input: LineFault) => served.simulator.line.state.addFault(input);
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable("the call should have failed"),
    (error: unknown) => {
      expect(error).toBeInstanceOf(LineApiError);
      return error as LineApiError;
    },
  );
const text = (value: string) => ({ type: "text" as const, text: value });

describe("sending", () => {
  it("replies once with a reply token; the second use is an invalid reply token to fall back from", async () => {
    const event = customer().text(lineUser(USER.userId), "hi");
    const sent = await line.reply(TOKEN, { replyToken: event.replyToken ?? "", messages: [text("Hello!")] });
    const error = await failure(line.reply(TOKEN, { replyToken: event.replyToken ?? "", messages: [text("again")] }));

    expect(sent).toMatchObject({ alreadyAccepted: false, sentMessages: [{ id: expect.any(String) }] });
    expect(sent.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error).toMatchObject({
      status: 400,
      code: "invalid_reply_token",
      invalidReplyToken: true,
      retryable: false,
    });
  });

  it("treats a 409 for a repeated retry key as accepted, not as a failure", async () => {
    const key = lineRetryKey("msg_123:0");
    const first = await line.push(TOKEN, { to: USER.userId, messages: [text("once")] }, { retryKey: key });
    const repeat = await line.push(TOKEN, { to: USER.userId, messages: [text("once")] }, { retryKey: key });

    expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(lineRetryKey("msg_123:0")).toBe(key);
    expect(lineRetryKey("msg_123:1")).not.toBe(key);
    expect(repeat).toEqual({ sentMessages: first.sentMessages, requestId: first.requestId, alreadyAccepted: true });
    expect(served.simulator.line.state.outbox).toHaveLength(1);
  });

  it("reports an exhausted monthly quota as final, with a readable reason", async () => {
    const channel = served.simulator.line.state.channels.get(DEMO_LINE_CHANNEL.channelId)!;
    channel.monthlyQuota = 1;
    await line.push(TOKEN, { to: USER.userId, messages: [text("the last one")] });
    const error = await failure(line.push(TOKEN, { to: USER.userId, messages: [text("one too many")] }));

    expect(error).toMatchObject({ status: 429, code: "quota_exceeded", quotaExceeded: true, retryable: false });
    expect(error.reason).toMatch(/monthly message quota/);
    expect(await line.getQuota(TOKEN)).toEqual({ type: "limited", value: 1 });
    expect(await line.getQuotaConsumption(TOKEN)).toEqual({ totalUsage: 1 });
  });

  it("keeps LINE's validation details", async () => {
    const error = await failure(line.push(TOKEN, { to: USER.userId, messages: [text("x".repeat(5001))] }));
    expect(error).toMatchObject({ status: 400, code: "invalid_request", retryable: false });
    expect(error.details).toEqual([{ message: "Length must be between 0 and 5000", property: "messages[0].text" }]);
    expect(error.reason).toBe("The request body has 1 error(s): messages[0].text Length must be between 0 and 5000");
  });

  it("shows the loading animation for 5–60 s in steps of 5", async () => {
    await line.showLoading(TOKEN, USER.userId, 12);
    await line.showLoading(TOKEN, USER.userId, 300);
    const bodies = served.simulator.line.calls.map((call) => call.body);
    expect(bodies).toEqual([
      { chatId: USER.userId, loadingSeconds: 15 },
      { chatId: USER.userId, loadingSeconds: 60 },
    ]);
  });
});

describe("error classification", () => {
  it.each([
    ["server_error", 500, "platform_unavailable"],
    ["unavailable", 503, "platform_unavailable"],
    ["rate_limit", 429, "rate_limited"],
  ] as const)("%s (HTTP %i) is retryable", async (kind, status, code) => {
    fault({ kind, on: "push" });
    const error = await failure(line.push(TOKEN, { to: USER.userId, messages: [text("x")] }));
    expect(error).toMatchObject({ status, code, retryable: true, tokenExpired: false, quotaExceeded: false });
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("a revoked token is token expired, not retryable", async () => {
    fault({ kind: "token_revoked", on: "info" });
    const error = await failure(line.getBotInfo(TOKEN));
    expect(error).toMatchObject({ status: 401, code: "token_expired", tokenExpired: true, retryable: false });
  });

  it("a reset connection and a timeout are retryable", async () => {
    fault({ kind: "network_reset", on: "reply" });
    const event = customer().text(lineUser(USER.userId), "hi");
    const reset = await failure(line.reply(TOKEN, { replyToken: event.replyToken ?? "", messages: [text("x")] }));
    fault({ kind: "timeout", on: "profile", delayMs: 1_000 });
    const slow = await failure(client({ timeoutMs: 100 }).getProfile(TOKEN, USER.userId));
    const refused = await failure(
      createLineClient({ apiUrl: "http://127.0.0.1:1", dataApiUrl: "http://127.0.0.1:1" }).getBotInfo(TOKEN),
    );

    expect(reset).toMatchObject({ status: 0, code: "platform_unreachable", retryable: true });
    expect(slow).toMatchObject({ status: 0, code: "platform_timeout", retryable: true });
    expect(refused).toMatchObject({ status: 0, code: "platform_unreachable", retryable: true });
  });
});

describe("reading", () => {
  it("reads profiles of users, group members and the group", async () => {
    expect(await line.getProfile(TOKEN, USER.userId)).toEqual({
      displayName: USER.displayName,
      userId: USER.userId,
      statusMessage: USER.statusMessage,
      language: USER.language,
    });
    expect(await line.getGroupSummary(TOKEN, DEMO_LINE_GROUP.groupId)).toEqual({
      groupId: DEMO_LINE_GROUP.groupId,
      groupName: DEMO_LINE_GROUP.groupName,
    });
    expect(await line.getGroupMemberProfile(TOKEN, DEMO_LINE_GROUP.groupId, USER.userId)).toEqual({
      displayName: USER.displayName,
      userId: USER.userId,
    });
    const stranger = await failure(line.getProfile(TOKEN, "U0123456789abcdef0123456789abcdef"));
    expect(stranger).toMatchObject({ status: 404, code: "not_found", retryable: false });
  });

  it("downloads content from the data host with its type, and refuses content over the cap", async () => {
    const image = customer().image(lineUser(USER.userId));
    const id = image.message.id;
    const content = await line.downloadContent(TOKEN, id);
    const capped = await failure(line.downloadContent(TOKEN, id, { maxBytes: 100 }));
    const missing = await failure(line.downloadContent(TOKEN, "1"));

    expect(content.contentType).toBe("image/jpeg");
    expect(Buffer.from(content.bytes).equals(SAMPLE_JPEG)).toBe(true);
    expect(capped).toMatchObject({ code: "content_too_large", retryable: false });
    expect(missing).toMatchObject({ status: 404, code: "not_found" });
    expect(served.simulator.line.calls.map((call) => call.host)).toEqual(["data", "data", "data"]);
  });

  it("stops reading a body without a length once it passes the cap", async () => {
    const big = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "video/mp4", "transfer-encoding": "chunked" });
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const timer = setInterval(() => {
        if (res.destroyed || sent > 100) return clearInterval(timer);
        res.write(chunk);
        sent++;
      }, 1);
    });
    big.listen(0, "127.0.0.1");
    await once(big, "listening");
    const port = (big.address() as AddressInfo).port;
    const error = await failure(
      createLineClient({ apiUrl: "http://x", dataApiUrl: `http://127.0.0.1:${port}` }).downloadContent(TOKEN, "9", {
        maxBytes: 256 * 1024,
      }),
    );
    big.closeAllConnections();
    big.close();
    expect(error.code).toBe("content_too_large");
  });

  it("reads the bot, and sets and tests the webhook endpoint (LINE signs its test delivery)", async () => {
    expect(await line.getBotInfo(TOKEN)).toMatchObject({
      userId: DEMO_LINE_CHANNEL.userId,
      basicId: DEMO_LINE_CHANNEL.basicId,
      chatMode: "bot",
    });
    await line.setWebhookEndpoint(TOKEN, hookUrl);
    expect(await line.getWebhookEndpoint(TOKEN)).toEqual({ endpoint: hookUrl, active: true });
    const test = await line.testWebhookEndpoint(TOKEN);

    expect(test).toMatchObject({ success: true, statusCode: 200, reason: "OK" });
    const delivery = received[0]!;
    expect(
      verifyLineSignature(
        delivery.raw,
        delivery.headers["x-line-signature"] as string,
        DEMO_LINE_CHANNEL.channelSecret,
      ),
    ).toBe(true);
    const failed = await line.testWebhookEndpoint(TOKEN, "http://127.0.0.1:1/nothing");
    expect(failed).toMatchObject({ success: false, reason: "COULD_NOT_CONNECT" });
  });
});
