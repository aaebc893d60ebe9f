/**
 * The Messenger adapter's contract, without a database: the webhook is cut into one row per Page and
 * normalised into the shared customer events; the reply window and the error classes the send job
 * acts on.
 */
import {
  deliveryEvent,
  echoEvent,
  messengerWebhook,
  postbackEvent,
  reactionEvent,
  readEvent,
  serializeLikeMeta,
  signMessengerBody,
  textEvent,
} from "@tandem/simulator";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../config.ts";
import { createKeyring } from "../../secrets/keyring.ts";
import { channelCapabilities, createChannelRegistry } from "../registry.ts";
import { messengerAdapter } from "./adapter.ts";
import { GraphApiError } from "./graph-client.ts";

const config = loadConfig({ NODE_ENV: "test", FB_APP_ID: "4242", FB_APP_SECRET: "contract-secret" });
const adapter = messengerAdapter(
  createChannelRegistry({ config, keyring: createKeyring(Buffer.alloc(32, 7).toString("base64")) }),
);
const inbound = adapter.inbound!;
const channel = { id: "channel_1", type: "messenger" as const, externalId: "PAGE1", secretsEncrypted: null };
const thread = { pageId: "PAGE1", psid: "PSID1", timestamp: 1_750_000_000_000 };
const HOUR = 60 * 60 * 1000;

describe("Messenger adapter", () => {
  it("verifies Meta's signature over the raw bytes with the app secret", () => {
    const body = serializeLikeMeta(messengerWebhook([textEvent({ ...thread, text: "héllo" })]));
    const header = (value: string) => (name: string) => (name === "x-hub-signature-256" ? value : undefined);
    const rawBody = Buffer.from(body);
    expect(
      inbound.verify({ rawBody, header: header(signMessengerBody("contract-secret", body)) }, "contract-secret"),
    ).toBe(true);
    expect(inbound.verify({ rawBody, header: header(signMessengerBody("other", body)) }, "contract-secret")).toBe(
      false,
    );
    expect(inbound.verify({ rawBody, header: () => undefined }, "contract-secret")).toBe(false);
  });

  it("stores one row per Page, named by its Page id, and normalises every event kind", () => {
    const body = messengerWebhook([
      textEvent({ ...thread, text: "hi", mid: "m1", replyToMid: "m0" }),
      postbackEvent({ ...thread, title: "Menu", payload: "MENU" }),
      echoEvent({ ...thread, text: "from the Page inbox", mid: "m2" }),
      echoEvent({ ...thread, text: "ours", mid: "m3", appId: 4242 }),
      echoEvent({ ...thread, text: "ours, part 2", mid: "m4", metadata: "tandem:message_9" }),
      deliveryEvent({ ...thread, watermark: thread.timestamp, mids: ["m3"] }),
      readEvent({ ...thread, watermark: thread.timestamp }),
      reactionEvent({ ...thread, mid: "m3", reaction: "love" }),
    ]);
    const rows = inbound.split(JSON.parse(serializeLikeMeta(body)));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ channel: { externalId: "PAGE1" }, items: 8 });

    const events = inbound.normalize(rows[0]!.payload, channel);
    const at = new Date(thread.timestamp);
    const from = { platformId: "PSID1", kind: "user" };
    expect(events).toEqual([
      {
        type: "message",
        from,
        standby: false,
        message: {
          platformMessageId: "m1",
          text: "hi",
          attachments: [],
          payload: null,
          postback: false,
          replyToPlatformId: "m0",
          at,
        },
      },
      {
        type: "message",
        from,
        standby: false,
        message: {
          platformMessageId: expect.any(String),
          text: "Menu",
          attachments: [],
          payload: "MENU",
          postback: true,
          replyToPlatformId: null,
          at,
        },
      },
      expect.objectContaining({ type: "echo", platformMessageId: "m2", ourMessageId: null, fromThisApp: false }),
      expect.objectContaining({ type: "echo", platformMessageId: "m3", fromThisApp: true }),
      expect.objectContaining({ type: "echo", platformMessageId: "m4", ourMessageId: "message_9" }),
      { type: "receipt", status: "delivered", from, watermark: at, platformMessageIds: ["m3"], at },
      { type: "receipt", status: "read", from, watermark: at, platformMessageIds: [], at },
      { type: "reaction", from, platformMessageId: "m3", action: "react", value: "❤️", at },
    ]);
  });

  it("marks standby events: stored, never answered", () => {
    const body = messengerWebhook([textEvent({ ...thread, text: "owned by another app" })], { standby: true });
    const [row] = inbound.split(JSON.parse(serializeLikeMeta(body)));
    expect(inbound.normalize(row!.payload, channel)).toMatchObject([{ type: "message", standby: true }]);
  });

  it("allows the bot 24 hours and a person 7 days (HUMAN_AGENT), nothing before the first message", () => {
    const now = new Date();
    const ago = (h: number) => new Date(now.getTime() - h * HOUR);
    const window = adapter.capabilities.replyWindow;
    expect(window("BOT", ago(23), now)).toEqual({
      allowed: true,
      how: { kind: "messenger", messagingType: "RESPONSE" },
    });
    expect(window("BOT", ago(25), now)).toMatchObject({ allowed: false });
    expect(window("AGENT", ago(25), now)).toEqual({
      allowed: true,
      how: { kind: "messenger", messagingType: "MESSAGE_TAG", tag: "HUMAN_AGENT" },
    });
    expect(window("AGENT", ago(24 * 7 + 1), now)).toMatchObject({ allowed: false });
    expect(window("AGENT", null, now)).toMatchObject({ allowed: false });
    expect(channelCapabilities("messenger")?.replyWindowTimes(ago(1))?.botUntil).toEqual(
      new Date(ago(1).getTime() + 24 * HOUR),
    );
    expect(adapter.capabilities).toMatchObject({ maxTextLength: 2000, delivery: "push", echoes: true });
  });

  it("classifies Graph errors: retry, reconnect needed, or a final refusal with Facebook's words", () => {
    const graphError = (status: number, code: number | null, subcode: number | null = null) =>
      new GraphApiError(`graph says ${code}`, { status, code, subcode });
    expect(adapter.classifyError(graphError(400, 613))).toMatchObject({ retryable: true, code: "platform_error_613" });
    expect(adapter.classifyError(graphError(401, 190))).toMatchObject({
      retryable: false,
      tokenExpired: true,
      code: "token_expired",
    });
    expect(adapter.classifyError(graphError(400, 10, 2018278))).toMatchObject({ code: "outside_messaging_window" });
    expect(adapter.classifyError(graphError(502, null))).toMatchObject({
      retryable: true,
      code: "platform_unavailable",
    });
    expect(adapter.classifyError(new Error("a bug"))).toBeNull();
  });
});
