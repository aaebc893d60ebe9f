/**
 * The `send-outbound-message` job against the Graph simulator over real HTTP: window and tag rules,
 * splitting, retries and failures, token expiry. Most cases call the handler with a hand-built job
 * context (attempt numbers are then explicit); one runs the real embedded queue end to end.
 */
import { rooms, SOCKET_EVENTS, WIDGET_SOCKET } from "@tandem/contracts";
import { channels, chatbotErrors, conversations } from "@tandem/db";
import { createChatbot } from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMessengerThread,
  digits,
  type OutboundJobHarness,
  startOutboundJobHarness,
} from "../../../../tests/support/outbound-job.ts";
import { attachTestQueue } from "../../../../tests/support/runtime.ts";
import { OUTBOUND_RATE_LIMIT, sendOutboundMessage } from "./send-outbound-message.ts";

let h: OutboundJobHarness;
const published: { room: string; event: string; payload: { id: string; status: string } }[] = [];

beforeAll(async () => {
  h = await startOutboundJobHarness();
  h.runtime.realtime.bind({
    emit: (room, event, payload) => published.push({ room, event, payload: payload as { id: string; status: string } }),
  });
});

afterAll(() => h.close());

const errorsOf = (workspaceId: string) =>
  h.runtime.database.db.select().from(chatbotErrors).where(eq(chatbotErrors.workspaceId, workspaceId));

const outboxOf = (psid: string) => h.graph.outbox.filter((r) => r.recipientId === psid);

describe("send-outbound-message", () => {
  // The typing indicator is shown when the bot starts composing (generate-bot-reply), not here.
  it("sends a bot reply inside 24 h as RESPONSE and marks it sent", async () => {
    const { psid, message, page } = await createMessengerThread(h, { hoursAgo: 2 });
    const msg = await message({ role: "BOT", text: "Our shop opens at 9." });
    await h.send(msg.id);

    const out = outboxOf(psid);
    expect(out.map((r) => r.kind)).toEqual(["message"]);
    expect(out[0]).toMatchObject({
      pageId: page.id,
      messagingType: "RESPONSE",
      message: { text: "Our shop opens at 9." },
    });
    expect(out[0]!.tag).toBeUndefined();

    const row = await h.load(msg.id);
    expect(row).toMatchObject({ status: "sent", platformMessageId: out[0]!.messageId, attempts: 1, errorCode: null });
    expect(row.sentAt).toBeInstanceOf(Date);
    expect(row.metadata.platformMessageIds).toEqual([out[0]!.messageId]);
    // The echo of our send carries the message id in `metadata`.
    expect(out[0]!.message?.metadata).toBe(`tandem:${msg.id}`);
    const updates = published.filter((p) => p.event === SOCKET_EVENTS.messageUpdated && p.payload.id === msg.id);
    expect(updates.map((u) => u.payload.status)).toContain("sent");
  });

  it("sends an agent reply at 30 h with the HUMAN_AGENT tag and no typing indicator", async () => {
    const { psid, message, ws } = await createMessengerThread(h, { hoursAgo: 30 });
    const msg = await message({ role: "AGENT", authorMemberId: ws.agent.member.id, text: "Sorry for the wait!" });
    await h.send(msg.id);
    const out = outboxOf(psid);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: "message", messagingType: "MESSAGE_TAG", tag: "HUMAN_AGENT" });
    expect((await h.load(msg.id)).status).toBe("sent");
  });

  it("refuses a bot reply at 30 h and everything at 8 days, sending nothing", async () => {
    const late = await createMessengerThread(h, { hoursAgo: 30 });
    const bot = await late.message({ role: "BOT" });
    await h.send(bot.id);
    expect(await h.load(bot.id)).toMatchObject({ status: "failed", errorCode: "outside_messaging_window" });
    expect((await h.load(bot.id)).errorMessage).toMatch(/24 hours/);
    expect(outboxOf(late.psid)).toHaveLength(0);

    const old = await createMessengerThread(h, { hoursAgo: 8 * 24 });
    const agent = await old.message({ role: "AGENT", text: "Are you still there?" });
    const bot2 = await old.message({ role: "BOT" });
    await h.send(agent.id);
    await h.send(bot2.id);
    for (const id of [agent.id, bot2.id]) {
      const row = await h.load(id);
      expect(row).toMatchObject({ status: "failed", errorCode: "outside_messaging_window" });
      expect(row.errorMessage).toMatch(/7 days/);
    }
    expect(outboxOf(old.psid)).toHaveLength(0);
  });

  it("splits a reply over 2000 characters into parts sent in order, keeping every part's id", async () => {
    const { psid, message } = await createMessengerThread(h);
    const sentences = Array.from({ length: 90 }, (_, i) => `Sentence number ${i} of a long answer.`).join(" ");
    const msg = await message({ role: "AGENT", text: `${sentences} ${sentences}` });
    await h.send(msg.id);
    const parts = outboxOf(psid).filter((r) => r.kind === "message");
    expect(parts.length).toBeGreaterThan(1);
    for (const p of parts) expect([...String(p.message?.text)].length).toBeLessThanOrEqual(2000);
    expect(parts.map((p) => p.message?.text).join(" ")).toBe(`${sentences} ${sentences}`);
    const row = await h.load(msg.id);
    expect(row.platformMessageId).toBe(parts[0]!.messageId);
    expect(row.metadata.platformMessageIds).toEqual(parts.map((p) => p.messageId));
  });

  it("continues after the parts an earlier attempt sent", async () => {
    const { psid, message } = await createMessengerThread(h);
    const text = Array.from({ length: 150 }, (_, i) => `Part of the reply, sentence ${i}.`).join(" ");
    const msg = await message({ role: "AGENT", text, metadata: { platformMessageIds: ["m_earlier_1"] } });
    await h.send(msg.id);
    const parts = outboxOf(psid).filter((r) => r.kind === "message");
    expect(parts.length).toBeGreaterThanOrEqual(1);
    expect(String(parts[0]!.message?.text)).not.toMatch(/^Part of the reply, sentence 0\./);
    const row = await h.load(msg.id);
    expect(row.metadata.platformMessageIds).toEqual(["m_earlier_1", ...parts.map((p) => p.messageId)]);
  });

  it("sends an agent's attachments as reusable attachments", async () => {
    const { psid, message } = await createMessengerThread(h);
    const msg = await message({
      role: "AGENT",
      kind: "attachment",
      text: "Here is the invoice",
      attachments: [
        { type: "image", url: "https://cdn.example.com/a.png" },
        { type: "file", url: "https://cdn.example.com/invoice.pdf", name: "invoice.pdf" },
      ],
    });
    await h.send(msg.id);
    const parts = outboxOf(psid).filter((r) => r.kind === "message");
    expect(parts.map((p) => p.message)).toEqual([
      expect.objectContaining({ text: "Here is the invoice" }),
      expect.objectContaining({
        attachment: { type: "image", payload: { url: "https://cdn.example.com/a.png", is_reusable: true } },
      }),
      expect.objectContaining({
        attachment: { type: "file", payload: { url: "https://cdn.example.com/invoice.pdf", is_reusable: true } },
      }),
    ]);
    expect((await h.load(msg.id)).metadata.platformMessageIds).toHaveLength(3);
  });

  it("retries a 5xx and then sends", async () => {
    const { psid, message } = await createMessengerThread(h);
    const msg = await message({ role: "AGENT", text: "Retry me" });
    h.graph.faults.set(psid, { kind: "server_error", times: 1 });
    await expect(h.send(msg.id, 1)).rejects.toMatchObject({ retryable: true, status: 500 });
    expect(await h.load(msg.id)).toMatchObject({ status: "sending", errorCode: null, attempts: 1 });
    await h.send(msg.id, 2);
    expect(await h.load(msg.id)).toMatchObject({ status: "sent", attempts: 2 });
    expect(outboxOf(psid).filter((r) => r.kind === "message")).toHaveLength(1);
  });

  it("fails with the platform's reason when the last attempt fails", async () => {
    const { psid, message } = await createMessengerThread(h);
    const msg = await message({ role: "AGENT", text: "Never arrives" });
    h.graph.faults.set(psid, { kind: "server_error", times: Number.POSITIVE_INFINITY });
    await expect(h.send(msg.id, 4)).rejects.toMatchObject({ retryable: true });
    expect((await h.load(msg.id)).status).toBe("sending");
    await expect(h.send(msg.id, 5)).rejects.toMatchObject({ retryable: true });
    const row = await h.load(msg.id);
    expect(row).toMatchObject({ status: "failed", errorCode: "platform_error_2" });
    expect(row.errorMessage).toMatch(/unexpected error/i);
    const last = published.filter((p) => p.payload.id === msg.id).at(-1);
    expect(last).toMatchObject({ event: SOCKET_EVENTS.messageUpdated, payload: { status: "failed" } });
    h.graph.faults.delete(psid);
  });

  it("records a failed send for the chatbot's health, once, on the final failure only", async () => {
    const db = h.runtime.database.db;
    const { ws, psid, channel, conversation, message } = await createMessengerThread(h);
    const chatbot = await createChatbot(db, { workspaceId: ws.workspace.id });
    await db.update(conversations).set({ chatbotId: chatbot.id }).where(eq(conversations.id, conversation.id));
    const msg = await message({ text: "Never arrives" });
    h.graph.faults.set(psid, { kind: "server_error", times: Number.POSITIVE_INFINITY });
    await expect(h.send(msg.id, 4)).rejects.toMatchObject({ retryable: true });
    expect(await errorsOf(ws.workspace.id)).toEqual([]);
    await expect(h.send(msg.id, 5)).rejects.toMatchObject({ retryable: true });
    expect(await errorsOf(ws.workspace.id)).toEqual([
      expect.objectContaining({
        chatbotId: chatbot.id,
        kind: "send",
        code: "platform_error_2",
        message: expect.stringMatching(/unexpected error/i),
        channelId: channel.id,
        conversationId: conversation.id,
        messageId: msg.id,
      }),
    ]);
    h.graph.faults.delete(psid);
  });

  it("records a refused send with no chatbot when none serves the conversation", async () => {
    const { ws, conversation, message } = await createMessengerThread(h, { hoursAgo: 30 });
    const bot = await message({ text: "Too late" });
    await h.send(bot.id);
    expect(await errorsOf(ws.workspace.id)).toEqual([
      expect.objectContaining({
        chatbotId: null,
        kind: "send",
        code: "outside_messaging_window",
        conversationId: conversation.id,
      }),
    ]);
  });

  it("fails at once on a permanent refusal (user unavailable)", async () => {
    const { psid, message } = await createMessengerThread(h);
    const msg = await message({ role: "AGENT", text: "Hi" });
    h.graph.faults.set(psid, { kind: "user_unavailable", times: 1 });
    await expect(h.send(msg.id, 1)).rejects.toMatchObject({ retryable: false });
    expect(await h.load(msg.id)).toMatchObject({ status: "failed", errorCode: "platform_error_551" });
  });

  it("fails with outside_messaging_window when Facebook refuses the send as outside the window (10 / 2018278)", async () => {
    // Our clock says the window is open; Facebook's answer wins.
    const { psid, message } = await createMessengerThread(h, { hoursAgo: 2 });
    const msg = await message({ role: "BOT", text: "Too late after all" });
    h.graph.faults.set(psid, { kind: "outside_window", times: 1 });
    await expect(h.send(msg.id, 1)).rejects.toMatchObject({ code: 10, subcode: 2018278, retryable: false });
    const row = await h.load(msg.id);
    expect(row).toMatchObject({ status: "failed", errorCode: "outside_messaging_window", platformMessageId: null });
    expect(row.errorMessage).toMatch(/outside of allowed window/);
    expect(outboxOf(psid).filter((r) => r.kind === "message")).toHaveLength(0);
  });

  it("stores no platform id (null, not an empty string) when the Send API answers without message_id", async () => {
    const { psid, message } = await createMessengerThread(h);
    const first = await message({ role: "AGENT", text: "No id for me" });
    const second = await message({ role: "AGENT", text: "Nor for me" });
    h.graph.faults.set(psid, { kind: "missing_message_id", times: 2 });
    await h.send(first.id);
    await h.send(second.id);
    // Two messages without an id in one channel do not collide on (channel, platform id).
    for (const id of [first.id, second.id]) {
      const row = await h.load(id);
      expect(row).toMatchObject({ status: "sent", platformMessageId: null });
      expect(row.metadata.platformMessageIds).toEqual([null]);
    }
    expect(outboxOf(psid).map((r) => r.message?.text)).toEqual(["No id for me", "Nor for me"]);
  });

  it("counts a part an earlier attempt sent without message_id, and does not send it again", async () => {
    const { psid, message } = await createMessengerThread(h);
    const text = Array.from({ length: 150 }, (_, i) => `Sentence ${i} of a long reply.`).join(" ");
    const msg = await message({ role: "AGENT", text, metadata: { platformMessageIds: [null] } });
    await h.send(msg.id);
    const parts = outboxOf(psid).filter((r) => r.kind === "message");
    expect(parts.length).toBeGreaterThanOrEqual(1);
    expect(String(parts[0]!.message?.text)).not.toMatch(/^Sentence 0 of/);
    const row = await h.load(msg.id);
    expect(row).toMatchObject({ status: "sent", platformMessageId: null });
    expect(row.metadata.platformMessageIds).toEqual([null, ...parts.map((p) => p.messageId)]);
  });

  it("marks the channel reconnect_needed when the token expired", async () => {
    const { psid, message, channel } = await createMessengerThread(h);
    const msg = await message({ role: "BOT", text: "Hi" });
    h.graph.faults.set(psid, { kind: "expired_token", times: 1 });
    await expect(h.send(msg.id, 1)).rejects.toMatchObject({ code: 190 });
    const row = await h.load(msg.id);
    expect(row).toMatchObject({ status: "failed", errorCode: "token_expired" });
    expect(row.errorMessage).toMatch(/Session has expired/);
    const [ch] = await h.runtime.database.db.select().from(channels).where(eq(channels.id, channel.id));
    expect(ch).toMatchObject({ status: "reconnect_needed" });
    expect(ch!.statusReason).toMatch(/Session has expired/);

    // The next message of that channel fails fast, without calling Facebook.
    const next = await message({ role: "AGENT", text: "Still there?" });
    const before = h.graph.outbox.length;
    await h.send(next.id);
    expect(await h.load(next.id)).toMatchObject({ status: "failed", errorCode: "token_expired" });
    expect(h.graph.outbox.length).toBe(before);
  });

  it("does not send a message again once it is sent", async () => {
    const { psid, message } = await createMessengerThread(h);
    const msg = await message({ role: "AGENT", text: "Once" });
    await h.send(msg.id);
    await h.send(msg.id);
    const done = await message({ role: "AGENT", status: "delivered", platformMessageId: `m_${digits(8)}` });
    await h.send(done.id);
    expect(outboxOf(psid).filter((r) => r.kind === "message")).toHaveLength(1);
    expect((await h.load(msg.id)).attempts).toBe(1);
  });

  it("waits on the workspace's outbound rate limit, and fails on the last attempt", async () => {
    const { ws, psid, message } = await createMessengerThread(h);
    const exhaust = async () => {
      for (let i = 0; i <= OUTBOUND_RATE_LIMIT.limit; i++) {
        await h.runtime.limiter.hit(`outbound:${ws.workspace.id}`, OUTBOUND_RATE_LIMIT);
      }
    };
    const msg = await message({ role: "AGENT", text: "Busy" });
    await exhaust();
    const error = await h.send(msg.id, 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ retryable: true, retryAfterMs: expect.any(Number) });
    expect((await h.load(msg.id)).status).toBe("queued");
    await exhaust();
    await h.send(msg.id, 5);
    expect(await h.load(msg.id)).toMatchObject({ status: "failed", errorCode: "rate_limited" });
    expect(outboxOf(psid)).toHaveLength(0);
  });

  it("delivers by the adapter's mode: realtime publishes to the widget session, response only marks sent", async () => {
    const web = await createMessengerThread(h, { channelType: "web", externalId: "bot_widget" });
    const agentReply = await web.message({ role: "AGENT", text: "Hi, I'm here" });
    published.length = 0;
    await h.send(agentReply.id);
    expect(await h.load(agentReply.id)).toMatchObject({ status: "sent", errorCode: null });
    const toWidget = published.filter((p) => p.room === rooms.widgetSession("bot_widget", web.psid));
    expect(toWidget).toEqual([
      {
        room: rooms.widgetSession("bot_widget", web.psid),
        event: WIDGET_SOCKET.events.message,
        payload: expect.objectContaining({ id: agentReply.id, role: "AGENT", text: "Hi, I'm here" }),
      },
    ]);

    const api = await createMessengerThread(h, { channelType: "api", externalId: "bot_api" });
    const botReply = await api.message({ role: "BOT" });
    published.length = 0;
    await h.send(botReply.id);
    expect(await h.load(botReply.id)).toMatchObject({ status: "sent", errorCode: null });
    expect(published.filter((p) => p.room.startsWith("widget:"))).toEqual([]);
    expect(outboxOf(api.psid)).toEqual([]);
  });

  it("refuses a channel without an adapter", async () => {
    const { message } = await createMessengerThread(h);
    // A server without the channel's adapter (as after a downgrade).
    const registryWithout = { ...h.runtime.channels, find: () => null };
    const msg = await message({ role: "AGENT" });
    await sendOutboundMessage.handle({ messageId: msg.id }, { ...h.jobCtx(), channels: registryWithout });
    expect(await h.load(msg.id)).toMatchObject({ status: "failed", errorCode: "channel_not_supported" });
  });

  it("through the queue: a Send API rate limit is retried with backoff, then the message is sent", async () => {
    const queue = attachTestQueue(h.runtime);
    await queue.start();

    const { ws, psid, message } = await createMessengerThread(h);
    const msg = await message({ role: "BOT", text: "Worth the wait" });
    h.graph.faults.set(psid, { kind: "rate_limit", times: 1 });
    await queue.enqueue(
      sendOutboundMessage,
      { messageId: msg.id },
      { jobId: `send:${msg.id}`, workspaceId: ws.workspace.id },
    );

    const deadline = Date.now() + 30_000;
    while ((await h.load(msg.id)).status !== "sent" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const row = await h.load(msg.id);
    expect(row).toMatchObject({ status: "sent", attempts: 2, errorCode: null });
    expect(outboxOf(psid).filter((r) => r.kind === "message")).toHaveLength(1);
  });
});
