/**
 * The channel contract, run against every webhook adapter (Messenger and LINE) over real HTTP with
 * the fake platforms: signatures, duplicates and redeliveries, unknown channels, dead tokens,
 * transient failures, the reply window, long texts and media. A per-channel driver
 * (tests/support/channel-drivers.ts) says how a customer writes and what the platform received.
 */
import { appendMessage } from "@tandem/core/conversations/append-message";
import { sendOutboundMessage } from "@tandem/core/messages/send-outbound-message";
import { conversations, messages } from "@tandem/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  channelRow,
  conversationsOf,
  type Driver,
  FAQ,
  type Harness,
  inboundOf,
  lineDriver,
  messagesOf,
  messengerDriver,
  startHarness,
  waitFor,
} from "../../../tests/support/channel-drivers.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const HOUR = 60 * 60 * 1000;

/** Queues an outbound message in the customer's conversation and waits for the send job to settle it. */
async function sendFromInbox(channelId: string, role: "AGENT" | "BOT", text: string) {
  const [conversation] = await conversationsOf(h, channelId);
  const { message } = await appendMessage(h.runtime.database.db, conversation!, {
    role,
    kind: "text",
    status: "queued",
    text,
  });
  await h.queue.enqueue(
    sendOutboundMessage,
    { messageId: message!.id },
    { jobId: `send:${message!.id}`, workspaceId: conversation!.workspaceId },
  );
  return waitFor(async () => {
    const [row] = await h.runtime.database.db.select().from(messages).where(eq(messages.id, message!.id));
    return row && (row.status === "sent" || row.status === "failed") && row;
  }, `the ${role} message to be sent or failed`);
}

describe.each([messengerDriver, lineDriver] as Driver[])("channel contract: $type", (driver) => {
  it("refuses forged and missing signatures with 401 and stores nothing", async () => {
    const c = await driver.connect(h);
    const customer = await c.newCustomer();
    for (const signature of ["forged", "missing"] as const) {
      const res = await c.post(c.text(customer, "let me in"), signature);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("invalid_signature");
    }
    expect(await inboundOf(h, c.channelId)).toHaveLength(0);
    expect(await messagesOf(h, c.channelId)).toHaveLength(0);
  });

  it("stores one message for duplicates, concurrent duplicates and a redelivery, and the bot answers once", async () => {
    const c = await driver.connect(h);
    const customer = await c.newCustomer();
    const body = c.text(customer, FAQ.question);
    const answers = await Promise.all([1, 2, 3].map(() => c.post(body)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await c.post(c.redelivery(body))).status).toBe(200);
    expect((await c.post(body)).status).toBe(200);

    const thread = await waitFor(async () => {
      const rows = await messagesOf(h, c.channelId);
      return rows.some((m) => m.role === "BOT" && m.status === "sent") && rows;
    }, "the bot's answer");
    expect(thread.filter((m) => m.role === "USER")).toHaveLength(1);
    expect(thread.filter((m) => m.role === "BOT")).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.delivered(customer)).toHaveLength(1);
    expect(c.delivered(customer)[0]!.texts.join(" ")).toContain("1 business day");
  });

  it("answers a webhook for a channel nobody connected without storing a message", async () => {
    const res = await (await driver.connect(h)).postToUnknownChannel();
    expect(res.status).toBe(driver.unknownChannelStatus);
  });

  it("marks the channel reconnect-needed when the platform refuses the token, and fails the reply with a reason", async () => {
    const c = await driver.connect(h);
    const customer = await c.newCustomer();
    c.revokeToken(customer);
    expect((await c.post(c.text(customer, FAQ.question))).status).toBe(200);
    const failed = await waitFor(async () => {
      const rows = await messagesOf(h, c.channelId);
      return rows.find((m) => m.role === "BOT" && m.status === "failed");
    }, "the bot reply to fail");
    expect(failed.errorCode).toBe("token_expired");
    expect(failed.errorMessage).toBeTruthy();
    expect((await channelRow(h, c.channelId)).status).toBe("reconnect_needed");
  });

  it("retries a 5xx and then delivers", async () => {
    const c = await driver.connect(h);
    const customer = await c.newCustomer();
    c.failNextSend(customer);
    expect((await c.post(c.text(customer, FAQ.question))).status).toBe(200);
    const sent = await waitFor(
      async () => (await messagesOf(h, c.channelId)).find((m) => m.role === "BOT" && m.status === "sent"),
      "the retried reply",
      20_000,
    );
    expect(sent.attempts).toBeGreaterThanOrEqual(2);
    expect(c.delivered(customer)).toHaveLength(1);
  });

  it("applies the platform's reply window", async () => {
    const c = await driver.connect(h);
    const customer = await c.newCustomer();
    expect((await c.post(c.text(customer, "just saying hello"))).status).toBe(200);
    await waitFor(async () => (await conversationsOf(h, c.channelId))[0], "the conversation");
    await h.runtime.database.db
      .update(conversations)
      .set({ lastInboundAt: new Date(Date.now() - 25 * HOUR), autoBot: false })
      .where(eq(conversations.channelId, c.channelId));
    const bot = await sendFromInbox(c.channelId, "BOT", "A late bot message");
    expect(bot.status).toBe(driver.botAnswersAfter25h ? "sent" : "failed");
    if (!driver.botAnswersAfter25h) expect(bot.errorCode).toBe("outside_messaging_window");
    const agent = await sendFromInbox(c.channelId, "AGENT", "A person answers");
    expect(agent.status).toBe("sent");
  });

  it("splits a text over the platform's limit into parts that all arrive, in order", async () => {
    const c = await driver.connect(h);
    const customer = await c.newCustomer();
    expect((await c.post(c.text(customer, "tell me everything"))).status).toBe(200);
    await waitFor(async () => (await conversationsOf(h, c.channelId))[0], "the conversation");
    // The bot knows nothing of this: it hands off and tells the customer; that message goes out first.
    await waitFor(
      async () => (await messagesOf(h, c.channelId)).find((m) => m.role === "BOT" && m.status === "sent"),
      "the handoff message",
    );
    await h.runtime.database.db
      .update(conversations)
      .set({ autoBot: false })
      .where(eq(conversations.channelId, c.channelId));
    const sentences = Array.from({ length: 30 }, (_, i) => `Sentence ${i} ${"word ".repeat(60).trim()}.`);
    const text = sentences.join(" ");
    const before = c.delivered(customer).length;
    const message = await sendFromInbox(c.channelId, "AGENT", text);
    expect(message.status).toBe("sent");
    const parts = c
      .delivered(customer)
      .slice(before)
      .flatMap((d) => d.texts);
    expect(parts.length).toBe(Math.ceil(text.length / driver.maxTextLength));
    expect(parts.every((p) => p.length <= driver.maxTextLength)).toBe(true);
    expect(parts.join(" ").replace(/\s+/g, " ")).toBe(text);
  });

  it("keeps the media a customer sends where a member can view it", async () => {
    const c = await driver.connect(h);
    const customer = await c.newCustomer();
    expect((await c.post(c.image(customer))).status).toBe(200);
    const image = await waitFor(async () => {
      const [message] = (await messagesOf(h, c.channelId)).filter((m) => m.role === "USER");
      const attachment = message?.attachments[0];
      return attachment?.url ? attachment : null;
    }, "the image to be stored with a URL");
    expect(image.type).toBe("image");
    await driver.expectMediaViewable(h, await c.admin(), image);
  });
});
