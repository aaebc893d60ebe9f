import { createHmac, timingSafeEqual } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  attachmentEvent,
  deliveryEvent,
  echoEvent,
  messengerWebhook,
  postbackEvent,
  postSignedWebhook,
  quickReplyEvent,
  reactionEvent,
  readEvent,
  serializeLikeMeta,
  signMessengerBody,
  textEvent,
} from "./customer/messenger.ts";

const thread = { pageId: "111", psid: "5550001", timestamp: 1_750_000_000_000 };

function verify(appSecret: string, raw: Buffer, header: string | null): boolean {
  const expected = Buffer.from(`sha256=${createHmac("sha256", appSecret).update(raw).digest("hex")}`);
  const given = Buffer.from(header ?? "");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe("webhook payloads", () => {
  it("builds every event type in the shape Meta delivers", () => {
    const payload = messengerWebhook(
      [
        textEvent({ ...thread, text: "hi", mid: "m_1" }),
        attachmentEvent({ ...thread, attachments: [{ type: "image", payload: { url: "https://cdn.test/a.jpg" } }] }),
        quickReplyEvent({ ...thread, text: "Menu A", payload: "MENU_A" }),
        postbackEvent({ ...thread, title: "Get started", payload: "GET_STARTED" }),
        deliveryEvent({ ...thread, watermark: 1_750_000_000_500 }),
        readEvent({ ...thread, watermark: 1_750_000_000_600 }),
        echoEvent({ ...thread, text: "from the page inbox" }),
        reactionEvent({ ...thread, mid: "m_1", reaction: "like" }),
      ],
      { time: 1_750_000_001_000 },
    );

    expect(payload.object).toBe("page");
    expect(payload.entry).toHaveLength(1);
    const [text, attachment, quick, postback, delivery, read, echo, reaction] = payload.entry[0]?.messaging ?? [];
    expect(text).toEqual({
      sender: { id: "5550001" },
      recipient: { id: "111" },
      timestamp: 1_750_000_000_000,
      message: { mid: "m_1", text: "hi" },
    });
    expect(attachment?.message?.attachments).toEqual([{ type: "image", payload: { url: "https://cdn.test/a.jpg" } }]);
    expect(quick?.message).toMatchObject({ text: "Menu A", quick_reply: { payload: "MENU_A" } });
    expect(postback?.postback).toMatchObject({ title: "Get started", payload: "GET_STARTED", mid: expect.any(String) });
    expect(delivery?.delivery).toEqual({ watermark: 1_750_000_000_500 });
    expect(read?.read).toEqual({ watermark: 1_750_000_000_600 });
    expect(echo).toMatchObject({ sender: { id: "111" }, recipient: { id: "5550001" }, message: { is_echo: true } });
    expect(reaction?.reaction).toEqual({ mid: "m_1", action: "react", reaction: "like", emoji: "👍" });
  });

  it("groups events by Page and can deliver them as standby", () => {
    const payload = messengerWebhook(
      [textEvent({ ...thread, text: "a" }), textEvent({ ...thread, pageId: "222", text: "b" })],
      { standby: true },
    );

    expect(payload.entry.map((entry) => entry.id)).toEqual(["111", "222"]);
    expect(payload.entry[0]?.standby).toHaveLength(1);
    expect(payload.entry[0]?.messaging).toBeUndefined();
  });

  it("gives every generated message a distinct mid", () => {
    const mids = new Set(Array.from({ length: 50 }, () => textEvent({ ...thread, text: "x" }).message?.mid));
    expect(mids.size).toBe(50);
  });
});

describe("serialisation and signature", () => {
  const payload = messengerWebhook([textEvent({ ...thread, text: "Grüße 👋 สวัสดี https://x.test/a" })]);

  it("escapes non-ASCII and slashes like Meta, and still parses to the same value", () => {
    const body = serializeLikeMeta(payload);

    expect(body).toContain("Gr\\u00fc\\u00dfe \\ud83d\\udc4b \\u0e2a");
    expect(body).toContain("https:\\/\\/x.test\\/a");
    expect(/^[\x20-\x7e]*$/.test(body)).toBe(true);
    expect(JSON.parse(body)).toEqual(payload);
  });

  it("signs the exact bytes: a receiver verifying the raw body succeeds, re-serialising fails", async () => {
    const secret = "app-secret-Ω";
    let raw = Buffer.alloc(0);
    let header: string | null = null;

    const response = await postSignedWebhook("http://tandem.test/api/webhooks/messenger", secret, payload, {
      fetch: async (request) => {
        raw = Buffer.from(await request.arrayBuffer());
        header = request.headers.get("x-hub-signature-256");
        return new Response("EVENT_RECEIVED");
      },
    });

    expect(response.status).toBe(200);
    expect(header).toBe(signMessengerBody(secret, raw));
    expect(verify(secret, raw, header)).toBe(true);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString("utf8"))));
    expect(verify(secret, reserialised, header)).toBe(false);
    expect(verify("wrong-secret", raw, header)).toBe(false);
  });

  it("sends an already serialised body verbatim", async () => {
    const body = '{"object":"page","entry":[]}';
    let received = "";
    await postSignedWebhook("http://tandem.test/hook", "s", body, {
      fetch: async (request) => {
        received = await request.text();
        return new Response(null, { status: 200 });
      },
    });

    expect(received).toBe(body);
  });
});
