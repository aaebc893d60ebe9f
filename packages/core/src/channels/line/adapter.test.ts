import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
/**
 * The LINE adapter's contract without a database: webhooks are verified with the channel secret,
 * cut into one row per event and normalised into customer events; sends choose reply or push against
 * the fake LINE platform (in-process, LINE's wire format); errors are classified for the send job.
 */
import {
  createLineCustomer,
  createLineSimulator,
  lineGroup,
  lineRoom,
  lineUser,
  newLineId,
  signLineBody,
} from "@tandem/simulator";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config.ts";
import { outboundMedia } from "../../media/outbound-media.ts";
import { createKeyring } from "../../secrets/keyring.ts";
import type { SendInput } from "../adapter.ts";
import { channelCapabilities, createChannelRegistry } from "../registry.ts";
import { LINE_REPLY_TOKEN_FRESH_MS, lineAdapter, sendLine } from "./adapter.ts";
import { createLineClient, lineRetryKey } from "./client.ts";
import { LineApiError } from "./errors.ts";
import { sealLineSecrets } from "./line-deps.ts";

const keyring = createKeyring(Buffer.alloc(32, 9).toString("base64"));
const config = loadConfig({ NODE_ENV: "test" });
const adapter = lineAdapter(createChannelRegistry({ config, keyring }));
const inbound = adapter.inbound!;

const sim = createLineSimulator();
const mediaDir = mkdtempSync(path.join(tmpdir(), "tandem-line-media-"));
const SECRET = "0123456789abcdef0123456789abcdef";
const TOKEN = "line-adapter-test-token";
const account = sim.state.addChannel({
  channelId: "2000000001",
  channelSecret: SECRET,
  channelAccessToken: TOKEN,
  userId: newLineId("U"),
  basicId: "@adapter",
  displayName: "Adapter test",
});
const customer = createLineCustomer(sim, account.channelId);
const channel = {
  id: "ch_line",
  type: "line" as const,
  externalId: account.channelId,
  secretsEncrypted: sealLineSecrets(keyring, { channelSecret: SECRET, channelAccessToken: TOKEN }).secretsEncrypted,
};
const client = createLineClient({
  apiUrl: "http://line.test/api",
  dataApiUrl: "http://line.test/data",
  fetch: (url, init) => Promise.resolve(sim.app.fetch(new Request(url as string, init))),
});

const user = newLineId("U");
const group = newLineId("C");

describe("LINE adapter: inbound", () => {
  it("verifies x-line-signature over the raw bytes with the channel secret read from the row", () => {
    const body = Buffer.from(JSON.stringify(customer.webhook([customer.text(lineUser(user), "héllo 😀")])));
    const header = (value?: string) => (name: string) => (name === "x-line-signature" ? value : undefined);
    const secret = inbound.secretOf!(channel);
    expect(secret).toBe(SECRET);
    expect(inbound.verify({ rawBody: body, header: header(signLineBody(SECRET, body)) }, secret)).toBe(true);
    expect(inbound.verify({ rawBody: body, header: header(signLineBody("other-secret", body)) }, secret)).toBe(false);
    expect(inbound.verify({ rawBody: body, header: header() }, secret)).toBe(false);
  });

  it("stores one row per event for the channel the URL names, deduplicated on webhookEventId; none for an empty body", () => {
    const events = [customer.text(lineUser(user), "a"), customer.follow(lineUser(user))];
    const rows = inbound.split(customer.webhook(events), { channelId: "ch_line" });
    expect(rows).toEqual([
      { channel: { id: "ch_line" }, payload: events[0], items: 1, dedupeKey: events[0]!.webhookEventId },
      { channel: { id: "ch_line" }, payload: events[1], items: 1, dedupeKey: events[1]!.webhookEventId },
    ]);
    expect(inbound.split(customer.webhook([]), { channelId: "ch_line" })).toEqual([]);
    expect(() => inbound.split({ nope: true }, { channelId: "ch_line" })).toThrow(/LINE webhook/);
  });

  it("normalises every event kind", () => {
    const normalize = (event: Record<string, unknown>) => inbound.normalize(event, channel);
    const text = customer.text(lineUser(user), "hi $", {
      emojis: [{ index: 3, length: 1, productId: "p", emojiId: "001" }],
    });
    const [message] = normalize(text);
    expect(message).toMatchObject({
      type: "message",
      from: { platformId: user, kind: "user" },
      thread: undefined,
      standby: false,
      message: {
        platformMessageId: text.message.id,
        text: "hi $",
        attachments: [],
        sendMetadata: { replyToken: text.replyToken, receivedAt: new Date(text.timestamp).toISOString() },
      },
    });

    const sticker = customer.sticker(lineUser(user), { packageId: "446", stickerId: "1988" });
    expect(normalize(sticker)[0]).toMatchObject({
      message: {
        attachments: [
          {
            type: "sticker",
            url: "https://stickershop.line-scdn.net/stickershop/v1/sticker/1988/android/sticker.png#line-sticker=446:1988",
          },
        ],
      },
    });

    for (const kind of ["image", "video", "audio"] as const) {
      const media = customer[kind](lineUser(user));
      expect(normalize(media)[0]).toMatchObject({
        message: { text: null, attachments: [{ type: kind, url: "", contentRef: media.message.id }] },
      });
    }
    const file = customer.file(lineUser(user), { fileName: "menu.pdf" });
    expect(normalize(file)[0]).toMatchObject({
      message: { attachments: [{ type: "file", url: "", name: "menu.pdf", contentRef: file.message.id }] },
    });

    const location = customer.location(lineUser(user), {
      latitude: 13.75,
      longitude: 100.5,
      title: "Shop",
      address: "1 Road",
    });
    expect(normalize(location)[0]).toMatchObject({
      message: {
        text: "Shop\n1 Road",
        attachments: [{ type: "location", url: expect.stringContaining("query=13.75,100.5"), name: "Shop" }],
      },
    });

    const postback = customer.postback(lineUser(user), { data: "action=buy&item=1" });
    expect(normalize(postback)[0]).toMatchObject({
      message: {
        platformMessageId: `postback:${postback.webhookEventId}`,
        payload: "action=buy&item=1",
        postback: true,
      },
    });

    expect(normalize(customer.follow(lineUser(user)))).toMatchObject([{ type: "follow", from: { platformId: user } }]);
    expect(normalize(customer.unfollow(lineUser(user)))).toMatchObject([{ type: "unfollow" }]);
    expect(normalize(customer.unsend(lineUser(user), "42"))).toMatchObject([
      { type: "unsend", platformMessageId: "42" },
    ]);
    expect(normalize(customer.join(lineGroup(group)))).toEqual([{ type: "unknown", keys: ["join"] }]);
    expect(normalize({ type: "beacon", webhookEventId: "x" })).toEqual([{ type: "unknown", keys: ["beacon"] }]);

    // Standby: stored, never answered (and LINE gives no reply token).
    const standby = customer.text(lineUser(user), "seen by another app", { mode: "standby" });
    expect(normalize(standby)[0]).toMatchObject({ standby: true, message: { text: "seen by another app" } });
    expect((normalize(standby)[0] as { message: { sendMetadata?: unknown } }).message.sendMetadata).toBeUndefined();

    // A group or room is the conversation; the speaker is the person.
    const speaker = newLineId("U");
    expect(normalize(customer.text(lineGroup(group, speaker), "in a group"))[0]).toMatchObject({
      from: { platformId: speaker, kind: "user" },
      thread: { platformId: group, kind: "group" },
    });
    const room = newLineId("R");
    expect(normalize(customer.text(lineRoom(room, speaker), "in a room"))[0]).toMatchObject({
      thread: { platformId: room, kind: "room" },
    });
  });
});

describe("LINE adapter: sending", () => {
  const outboxSince = () => {
    const start = sim.state.outbox.length;
    return () => sim.state.outbox.slice(start);
  };
  const sendInput = (overrides: Partial<SendInput> & { to?: string; replyToken?: string; receivedAt?: Date }) => {
    const parts: (string | null)[] = [];
    const input: SendInput = {
      channel,
      contact: { platformUserId: overrides.to ?? user },
      conversation: { id: "conv_1", lastInboundAt: new Date() },
      message: { id: `msg_${Math.random()}`, role: "BOT", text: "Hello!", attachments: [], productCards: [] },
      answering: overrides.replyToken
        ? {
            platformMessageId: "1",
            metadata: {
              replyToken: overrides.replyToken,
              receivedAt: (overrides.receivedAt ?? new Date()).toISOString(),
            },
            createdAt: overrides.receivedAt ?? new Date(),
            answered: false,
          }
        : null,
      how: { kind: "line" },
      alreadySent: 0,
      onPartSent: async (id) => {
        parts.push(id);
      },
      media: outboundMedia({ dataDir: mediaDir, appUrl: "https://tandem.example" }, "ws_line"),
      ...overrides,
    };
    return { input, parts };
  };
  const freshToken = (to = user) => sim.state.issueReplyToken(account.channelId, "user", to, to);

  it("answers a bot reply with the fresh reply token", async () => {
    const sent = outboxSince();
    const token = freshToken();
    const { input, parts } = sendInput({ replyToken: token });
    await sendLine(client, TOKEN, input);
    expect(sent()).toMatchObject([{ kind: "reply", replyToken: token, chatId: user, messages: [{ text: "Hello!" }] }]);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toMatch(/^\d+$/);
  });

  it("pushes with a retry key when the token is stale, already used by another reply, or the sender is an agent", async () => {
    const stale = sendInput({
      replyToken: freshToken(),
      receivedAt: new Date(Date.now() - LINE_REPLY_TOKEN_FRESH_MS - 1000),
    });
    const used = sendInput({ replyToken: freshToken() });
    used.input.answering!.answered = true;
    const agent = sendInput({ replyToken: freshToken() });
    agent.input.message.role = "AGENT";
    for (const { input } of [stale, used, agent]) {
      const sent = outboxSince();
      await sendLine(client, TOKEN, input);
      expect(sent()).toMatchObject([{ kind: "push", chatId: user, retryKey: lineRetryKey(`${input.message.id}:0`) }]);
    }
  });

  it("falls back to push when LINE refuses the reply token", async () => {
    const sent = outboxSince();
    const { input, parts } = sendInput({ replyToken: "not-a-token-line-knows" });
    await sendLine(client, TOKEN, input);
    expect(sent()).toMatchObject([{ kind: "push" }]);
    expect(parts).toHaveLength(1);
  });

  it("takes a repeated retry key's 409 as already accepted: nothing is delivered twice", async () => {
    const { input } = sendInput({});
    const sent = outboxSince();
    await sendLine(client, TOKEN, input);
    const again = sendInput({ message: input.message });
    await sendLine(client, TOKEN, again.input);
    expect(sent()).toHaveLength(1);
    expect(again.parts).toHaveLength(1);
  });

  it("pushes to the group in a group conversation", async () => {
    const sent = outboxSince();
    const { input } = sendInput({ to: group });
    await sendLine(client, TOKEN, input);
    expect(sent()).toMatchObject([{ kind: "push", chatId: group, chatType: "group" }]);
  });

  it("splits text over 5000 characters and sends more than five messages in several calls: the reply first, then push", async () => {
    const sent = outboxSince();
    const text = Array.from({ length: 7 }, (_, i) => `${String(i).repeat(4000)}.`).join(" ");
    const { input, parts } = sendInput({ replyToken: freshToken() });
    input.message.text = text;
    await sendLine(client, TOKEN, input);
    const calls = sent();
    expect(calls.map((c) => [c.kind, c.messages.length])).toEqual([
      ["reply", 5],
      ["push", 2],
    ]);
    expect(calls.flatMap((c) => c.messages).every((m) => String(m.text).length <= 5000)).toBe(true);
    expect(parts).toHaveLength(7);

    // A retry after the first call went out continues with the second, by push.
    const retry = sendInput({ replyToken: freshToken() });
    retry.input.message.text = text;
    retry.input.alreadySent = 5;
    const later = outboxSince();
    await sendLine(client, TOKEN, retry.input);
    expect(later().map((c) => [c.kind, c.messages.length])).toEqual([["push", 2]]);
  });
});

describe("LINE adapter: capabilities and errors", () => {
  it("has no reply window, splits at 5000, shows typing and profiles, no receipts or echoes, pushes", () => {
    const caps = channelCapabilities("line")!;
    expect(caps.replyWindow("BOT", null, new Date())).toEqual({ allowed: true, how: { kind: "line" } });
    expect(caps.replyWindow("AGENT", new Date(0), new Date())).toMatchObject({ allowed: true });
    expect(caps.replyWindowTimes(new Date())).toBeNull();
    expect(caps).toMatchObject({
      maxTextLength: 5000,
      typing: true,
      profile: true,
      receipts: false,
      echoes: false,
      delivery: "push",
    });
  });

  it("classifies LINE's errors for the send job", () => {
    const error = (status: number, message: string) =>
      adapter.classifyError(
        new LineApiError(message, {
          status,
          code:
            status === 429
              ? /monthly/.test(message)
                ? "quota_exceeded"
                : "rate_limited"
              : status === 401
                ? "token_expired"
                : status >= 500
                  ? "platform_unavailable"
                  : "invalid_request",
        }),
      );
    expect(error(500, "Internal Server Error")).toMatchObject({ retryable: true, tokenExpired: false });
    expect(error(429, "Too Many Requests")).toMatchObject({ retryable: true, code: "rate_limited" });
    expect(error(401, "Authentication failed")).toMatchObject({
      retryable: false,
      tokenExpired: true,
      code: "token_expired",
    });
    expect(error(429, "You have reached your monthly limit.")).toMatchObject({
      retryable: false,
      tokenExpired: false,
      code: "line_quota_exceeded",
      reason: expect.stringContaining("monthly message quota"),
    });
    expect(error(400, "The request body has 1 error(s)")).toMatchObject({ retryable: false, code: "invalid_request" });
    expect(
      adapter.classifyError(new LineApiError("no answer", { status: 0, code: "platform_unreachable" })),
    ).toMatchObject({ retryable: true });
    expect(adapter.classifyError(new Error("ours"))).toBeNull();
  });
});
