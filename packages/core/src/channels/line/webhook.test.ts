import {
  asLineRedelivery,
  createLineCustomer,
  createSimulator,
  DEMO_LINE_CHANNEL,
  DEMO_LINE_GROUP,
  DEMO_LINE_USERS,
  lineGroup,
  lineRoom,
  lineUser,
} from "@tandem/simulator";
import { describe, expect, it } from "vitest";
import { lineChatIdOf, parseLineEvent, parseLineWebhook } from "./webhook.ts";

const simulator = createSimulator({ seedDemo: true });
const customer = createLineCustomer(simulator.line, DEMO_LINE_CHANNEL.channelId);
const USER = DEMO_LINE_USERS[0]!.userId;
const roundTrip = (body: unknown) => parseLineWebhook(JSON.stringify(body));

describe("parseLineWebhook", () => {
  it("types every message kind the customer sends", () => {
    const group = lineGroup(DEMO_LINE_GROUP.groupId, USER);
    const parsed = roundTrip(
      customer.webhook([
        customer.text(group, "@Shop hi $", {
          emojis: [{ index: 9, length: 1, productId: "5ac1bfd5040ab15980c9b435", emojiId: "001" }],
          mentionees: [{ type: "user", index: 0, length: 5, userId: DEMO_LINE_CHANNEL.userId, isSelf: true }],
          quotedMessageId: "600000000000000009",
        }),
        customer.sticker(lineUser(USER), { packageId: "446", stickerId: "1988", stickerResourceType: "ANIMATION" }),
        customer.image(lineUser(USER)),
        customer.video(lineUser(USER), { duration: 4200 }),
        customer.audio(lineUser(USER)),
        customer.file(lineUser(USER), { fileName: "invoice.pdf" }),
        customer.location(lineUser(USER), { title: "Shop", address: "Sukhumvit", latitude: 13.73, longitude: 100.56 }),
      ]),
    );
    if (!parsed.ok) throw new Error(parsed.error);

    expect(parsed.destination).toBe(DEMO_LINE_CHANNEL.userId);
    const [text, sticker, image, video, audio, file, location] = parsed.events;
    expect(text).toMatchObject({
      type: "message",
      mode: "active",
      deliveryContext: { isRedelivery: false },
      replyToken: expect.any(String),
      source: { type: "group", groupId: DEMO_LINE_GROUP.groupId, userId: USER },
      message: {
        type: "text",
        text: "@Shop hi $",
        quoteToken: expect.any(String),
        quotedMessageId: "600000000000000009",
        emojis: [{ index: 9, productId: "5ac1bfd5040ab15980c9b435" }],
        mention: { mentionees: [{ type: "user", isSelf: true }] },
      },
    });
    expect(sticker).toMatchObject({ message: { type: "sticker", packageId: "446", stickerResourceType: "ANIMATION" } });
    expect(image).toMatchObject({ message: { type: "image", contentProvider: { type: "line" } } });
    expect(video).toMatchObject({ message: { type: "video", duration: 4200 } });
    expect(audio).toMatchObject({ message: { type: "audio" } });
    expect(file).toMatchObject({ message: { type: "file", fileName: "invoice.pdf", fileSize: expect.any(Number) } });
    expect(location).toMatchObject({ message: { type: "location", latitude: 13.73, longitude: 100.56 } });
  });

  it("types follow, unfollow, postback, unsend and the group events, in standby too", () => {
    const parsed = roundTrip(
      asLineRedelivery(
        customer.webhook([
          customer.follow(lineUser(USER), { isUnblocked: true }),
          customer.unfollow(lineUser(USER)),
          customer.postback(lineUser(USER), { data: "order=42", params: { datetime: "2026-12-24T10:00" } }),
          customer.unsend(lineUser(USER), "600000000000000001"),
          customer.join(lineGroup(DEMO_LINE_GROUP.groupId)),
          customer.leave(lineRoom("R0123456789abcdef0123456789abcdef")),
          customer.memberJoined(lineGroup(DEMO_LINE_GROUP.groupId), [USER]),
          customer.memberLeft(lineGroup(DEMO_LINE_GROUP.groupId), [USER]),
          customer.text(lineUser(USER), "seen by another app", { mode: "standby" }),
        ]),
      ),
    );
    if (!parsed.ok) throw new Error(parsed.error);

    expect(parsed.events.map((e) => e.type)).toEqual([
      "follow",
      "unfollow",
      "postback",
      "unsend",
      "join",
      "leave",
      "memberJoined",
      "memberLeft",
      "message",
    ]);
    expect(parsed.events.every((e) => e.type !== "unknown" && e.deliveryContext.isRedelivery)).toBe(true);
    expect(parsed.events[0]).toMatchObject({ follow: { isUnblocked: true }, replyToken: expect.any(String) });
    expect(parsed.events[2]).toMatchObject({
      postback: { data: "order=42", params: { datetime: "2026-12-24T10:00" } },
    });
    expect(parsed.events[3]).toMatchObject({ unsend: { messageId: "600000000000000001" } });
    expect(parsed.events[6]).toMatchObject({ joined: { members: [{ type: "user", userId: USER }] } });
    expect(parsed.events[8]).toMatchObject({ mode: "standby" });
    expect(parsed.events[8]).not.toHaveProperty("replyToken");
    const leave = parsed.events[5];
    expect(leave?.type === "leave" && lineChatIdOf(leave.source)).toBe("R0123456789abcdef0123456789abcdef");
  });

  it("keeps unknown and malformed events as unknown without failing the others", () => {
    const good = customer.text(lineUser(USER), "still here");
    const parsed = roundTrip({
      destination: DEMO_LINE_CHANNEL.userId,
      events: [
        { ...good, type: "beacon", beacon: { hwid: "d41d8cd98f", type: "enter" } },
        { ...good, message: { id: "1", type: "imagemap-from-the-future", stuff: [1] } },
        { ...good, message: { id: "2", type: "text" } },
        { ...good, source: { type: "planet", planetId: "mars" } },
        42,
        good,
      ],
    });
    if (!parsed.ok) throw new Error(parsed.error);

    expect(parsed.events[0]).toMatchObject({
      type: "unknown",
      eventType: "beacon",
      webhookEventId: good.webhookEventId,
    });
    expect(parsed.events[1]).toMatchObject({
      type: "message",
      message: { type: "unknown", id: "1", messageType: "imagemap-from-the-future" },
    });
    expect(parsed.events[2]).toMatchObject({
      type: "unknown",
      eventType: "message",
      problem: expect.stringMatching(/^message\.text/),
    });
    expect(parsed.events[3]).toMatchObject({
      type: "unknown",
      eventType: "message",
      problem: expect.stringMatching(/^source/),
    });
    expect(parsed.events[4]).toEqual({ type: "unknown", eventType: "", raw: 42 });
    expect(parsed.events[5]).toMatchObject({ type: "message", message: { type: "text", text: "still here" } });
    expect(parseLineEvent(null)).toEqual({ type: "unknown", eventType: "", raw: null });
  });

  it("accepts LINE's connectivity check and refuses bodies that are not webhooks", () => {
    expect(parseLineWebhook(JSON.stringify({ destination: DEMO_LINE_CHANNEL.userId, events: [] }))).toEqual({
      ok: true,
      destination: DEMO_LINE_CHANNEL.userId,
      events: [],
    });
    expect(parseLineWebhook("{not json")).toMatchObject({ ok: false });
    expect(parseLineWebhook({ events: [] })).toMatchObject({ ok: false });
    expect(parseLineWebhook({ destination: "U1", events: {} })).toMatchObject({ ok: false });
  });
});
