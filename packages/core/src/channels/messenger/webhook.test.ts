import {
  attachmentEvent,
  deliveryEvent,
  echoEvent,
  messengerWebhook,
  postbackEvent,
  quickReplyEvent,
  reactionEvent,
  readEvent,
  serializeLikeMeta,
  signMessengerBody,
  signMessengerBodySha1,
  textEvent,
} from "@tandem/simulator";
import { describe, expect, it } from "vitest";
import { DomainError } from "../../errors.ts";
import { entryEvents, parseMessengerWebhook, verifyMessengerSignature } from "./webhook.ts";

const SECRET = "app-secret-for-tests";
const thread = { pageId: "111", psid: "222", timestamp: 1_750_000_000_000 };

describe("verifyMessengerSignature", () => {
  it("accepts sha256 over the exact bytes, including Meta's \\uXXXX escapes", () => {
    const body = serializeLikeMeta(messengerWebhook([textEvent({ ...thread, text: "Grüße, สวัสดี 👋 / ok" })]));
    expect(body).toContain("\\u00fc");
    expect(body).toContain("\\/");
    expect(verifyMessengerSignature(body, signMessengerBody(SECRET, body), SECRET)).toBe(true);
    expect(verifyMessengerSignature(Buffer.from(body), signMessengerBody(SECRET, body), SECRET)).toBe(true);
    // Signing the re-serialised JSON (what a careless receiver would compare) does not match.
    const reserialised = JSON.stringify(JSON.parse(body));
    expect(verifyMessengerSignature(body, signMessengerBody(SECRET, reserialised), SECRET)).toBe(false);
  });

  it("refuses a wrong secret, a missing or malformed header and the legacy sha1 header", () => {
    const body = '{"object":"page","entry":[]}';
    expect(verifyMessengerSignature(body, signMessengerBody("other-secret", body), SECRET)).toBe(false);
    expect(verifyMessengerSignature(body, undefined, SECRET)).toBe(false);
    expect(verifyMessengerSignature(body, "", SECRET)).toBe(false);
    expect(verifyMessengerSignature(body, "sha256=abc", SECRET)).toBe(false);
    expect(verifyMessengerSignature(body, signMessengerBodySha1(SECRET, body), SECRET)).toBe(false);
    expect(verifyMessengerSignature(body, signMessengerBody(SECRET, body), "")).toBe(false);
  });
});

describe("parseMessengerWebhook", () => {
  it("normalises every event kind", () => {
    const events = [
      textEvent({ ...thread, text: "hi", mid: "m_1", replyToMid: "m_0" }),
      attachmentEvent({ ...thread, mid: "m_2", attachments: [{ type: "image", payload: { url: "https://x/y.png" } }] }),
      quickReplyEvent({ ...thread, mid: "m_3", text: "Menu A", payload: "MENU_A" }),
      postbackEvent({ ...thread, mid: "m_4", title: "Get started", payload: "GET_STARTED" }),
      echoEvent({ ...thread, mid: "m_5", text: "from the inbox", metadata: "meta" }),
      deliveryEvent({ ...thread, watermark: 1_749_999_999_000 }),
      readEvent({ ...thread, watermark: 1_749_999_999_500 }),
      reactionEvent({ ...thread, mid: "m_5", reaction: "love" }),
      reactionEvent({ ...thread, mid: "m_5", action: "unreact" }),
    ];
    const parsed = parseMessengerWebhook(JSON.parse(serializeLikeMeta(messengerWebhook(events))));
    const items = parsed.entry.flatMap((entry) => entryEvents(entry).map((e) => e.event));
    expect(items).toEqual([
      expect.objectContaining({ type: "message", mid: "m_1", text: "hi", replyToMid: "m_0", senderId: "222" }),
      expect.objectContaining({
        type: "message",
        mid: "m_2",
        attachments: [{ type: "image", url: "https://x/y.png", title: null }],
      }),
      expect.objectContaining({ type: "message", mid: "m_3", text: "Menu A", quickReplyPayload: "MENU_A" }),
      expect.objectContaining({ type: "postback", mid: "m_4", title: "Get started", payload: "GET_STARTED" }),
      expect.objectContaining({
        type: "echo",
        mid: "m_5",
        appId: "263902037430900",
        metadata: "meta",
        recipientId: "222",
      }),
      expect.objectContaining({ type: "delivery", mids: [], watermark: 1_749_999_999_000 }),
      expect.objectContaining({ type: "read", watermark: 1_749_999_999_500 }),
      expect.objectContaining({ type: "reaction", mid: "m_5", action: "react", reaction: "love", emoji: "❤️" }),
      expect.objectContaining({ type: "reaction", mid: "m_5", action: "unreact", reaction: null }),
    ]);
    expect(parsed.entry.map((e) => e.id)).toEqual(["111"]);
  });

  it("keeps a sticker delivered as both `sticker` and `image` once, as the sticker", () => {
    const sticker = "https://scontent.example/sticker_369239263222822.png";
    const event = attachmentEvent({
      ...thread,
      mid: "m_s",
      attachments: [
        { type: "sticker", payload: { url: sticker, sticker_id: 369239263222822 } },
        { type: "image", payload: { url: sticker, sticker_id: 369239263222822 } },
        { type: "image", payload: { url: "https://scontent.example/photo.jpg" } },
      ],
    });
    const [entry] = parseMessengerWebhook(messengerWebhook([event])).entry;
    expect(entryEvents(entry!)[0]?.event).toMatchObject({
      attachments: [
        { type: "sticker", url: sticker, title: null },
        { type: "image", url: "https://scontent.example/photo.jpg", title: null },
      ],
    });
  });

  it("keeps standby items apart and tolerates unknown kinds and extra fields", () => {
    const standby = messengerWebhook([textEvent({ ...thread, text: "while another app owns the thread" })], {
      standby: true,
    });
    const [entry] = parseMessengerWebhook(standby).entry;
    expect(entryEvents(entry!)).toEqual([{ event: expect.objectContaining({ type: "message" }), standby: true }]);

    const parsed = parseMessengerWebhook({
      object: "page",
      extra: true,
      entry: [
        {
          id: "111",
          time: 1,
          future_field: { a: 1 },
          messaging: [
            { sender: { id: "222" }, recipient: { id: "111" }, timestamp: 1, optin: { ref: "x" } },
            {
              sender: { id: "222", user_ref: "r" },
              recipient: { id: "111" },
              timestamp: 1,
              message: { mid: "m", text: "t", nlp: {} },
            },
          ],
        },
      ],
    });
    expect(entryEvents(parsed.entry[0]!).map((e) => e.event.type)).toEqual(["unknown", "message"]);
  });

  it("refuses bodies that are not a Page webhook", () => {
    for (const body of [
      null,
      [],
      {},
      { object: "instagram", entry: [] },
      { object: "page" },
      { object: "page", entry: [{}] },
    ]) {
      expect(() => parseMessengerWebhook(body)).toThrow(DomainError);
    }
    try {
      parseMessengerWebhook({ object: "user", entry: [] });
    } catch (error) {
      expect((error as DomainError).code).toBe("invalid_input");
      expect((error as DomainError).details).toEqual([expect.objectContaining({ path: "object" })]);
    }
  });
});
