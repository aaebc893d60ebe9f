/**
 * The send job talks to channels only through their adapter: a test adapter shaped like LINE (a
 * reply token kept on the customer's message, a push delivery) and one shaped like the public API
 * (`response` delivery) show what the job hands over and what it does with each delivery mode.
 */
import { messages } from "@tandem/db";
import {
  createChannel,
  createContact,
  createConversation,
  createMessage,
  createTestWorkspace,
} from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import type { AppJobDeps } from "../app-deps.ts";
import type { ChannelAdapter, ChannelCapabilities, SendInput } from "../channels/adapter.ts";
import type { ChannelRegistry } from "../channels/registry.ts";
import type { JobContext } from "../jobs/define-job.ts";
import { silentLogger } from "../logger.ts";
import type { Runtime } from "../runtime.ts";
import { sendOutboundMessage } from "./send-outbound-message.ts";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createTestRuntime();
});
afterAll(() => runtime.close());

const sends: SendInput[] = [];
const capabilities = (delivery: ChannelCapabilities["delivery"]): ChannelCapabilities => ({
  replyWindow: (role, lastInboundAt) =>
    lastInboundAt
      ? { allowed: true, how: { kind: "test", role } }
      : { allowed: false, reason: "The customer has not written yet." },
  replyWindowTimes: () => null,
  maxTextLength: 5000,
  typing: false,
  profile: false,
  receipts: false,
  echoes: false,
  delivery,
  attachments: { rules: [], maxFiles: 0, fetchedByUrl: false },
  cards: null,
});
const pushAdapter: ChannelAdapter = {
  type: "line",
  capabilities: capabilities("push"),
  send: async (input) => {
    sends.push(input);
    await input.onPartSent(`line-${input.message.id}`);
  },
  classifyError: () => null,
};
const responseAdapter: ChannelAdapter = {
  type: "api",
  capabilities: capabilities("response"),
  classifyError: () => null,
};
const registry: ChannelRegistry = {
  get: (type) => (type === "line" ? pushAdapter : responseAdapter),
  find: (type) => (type === "line" ? pushAdapter : type === "api" ? responseAdapter : null),
  all: () => [pushAdapter, responseAdapter],
};

const ctx = (): JobContext<AppJobDeps> => ({
  db: runtime.database.db,
  config: runtime.config,
  keyring: runtime.keyring,
  realtime: runtime.realtime,
  limiter: runtime.limiter,
  channels: registry,
  queue: undefined as never,
  jobId: "test",
  jobKey: null,
  name: sendOutboundMessage.name,
  attempt: 1,
  maxAttempts: 5,
  log: silentLogger,
  signal: new AbortController().signal,
});

async function conversationOn(type: "line" | "api", lastInboundAt: Date | null = new Date()) {
  const db = runtime.database.db;
  const { workspace } = await createTestWorkspace(db);
  const channel = await createChannel(db, { workspaceId: workspace.id, type });
  const contact = await createContact(db, { workspaceId: workspace.id, channelId: channel.id });
  const conversation = await createConversation(db, {
    workspaceId: workspace.id,
    channelId: channel.id,
    contactId: contact.id,
    lastInboundAt,
  });
  return { channel, contact, conversation };
}

const statusOf = async (id: string) =>
  (await runtime.database.db.select().from(messages).where(eq(messages.id, id)))[0]!;

describe("send-outbound-message through the adapter", () => {
  it("hands a push adapter the message it answers with its stored send metadata, and whether it was answered", async () => {
    const db = runtime.database.db;
    const { contact, conversation } = await conversationOn("line");
    const question = await createMessage(db, {
      conversationId: conversation.id,
      platformMessageId: `q-${conversation.id}`,
      metadata: { send: { replyToken: "fresh-token", receivedAt: 1 } },
    });
    const first = await createMessage(db, {
      conversationId: conversation.id,
      role: "BOT",
      status: "queued",
      text: "first answer",
      replyToId: question.id,
    });
    await sendOutboundMessage.handle({ messageId: first.id }, ctx());
    expect(sends.at(-1)).toMatchObject({
      contact: { platformUserId: contact.platformUserId },
      message: { id: first.id, role: "BOT", text: "first answer" },
      answering: {
        platformMessageId: question.platformMessageId,
        metadata: { replyToken: "fresh-token" },
        answered: false,
      },
      how: { kind: "test", role: "BOT" },
      alreadySent: 0,
    });
    expect(await statusOf(first.id)).toMatchObject({ status: "sent", platformMessageId: `line-${first.id}` });

    // A second reply to the same question: the token is spent.
    const second = await createMessage(db, {
      conversationId: conversation.id,
      role: "BOT",
      status: "queued",
      text: "second answer",
      replyToId: question.id,
    });
    await sendOutboundMessage.handle({ messageId: second.id }, ctx());
    expect(sends.at(-1)?.answering).toMatchObject({ answered: true });
  });

  it("fails with the adapter's own reason when its window refuses, and sends nothing", async () => {
    const { conversation } = await conversationOn("line", null);
    const message = await createMessage(runtime.database.db, {
      conversationId: conversation.id,
      role: "AGENT",
      status: "queued",
    });
    const before = sends.length;
    await sendOutboundMessage.handle({ messageId: message.id }, ctx());
    expect(sends.length).toBe(before);
    expect(await statusOf(message.id)).toMatchObject({
      status: "failed",
      errorCode: "outside_messaging_window",
      errorMessage: "The customer has not written yet.",
    });
  });

  it("gives an adapter without the `cards` capability no product cards: its customer reads the text", async () => {
    const { conversation } = await conversationOn("line");
    const card = {
      productId: "p1",
      title: "Linen shirt",
      priceText: "$24.00",
      price: "24.00",
      currency: "USD",
      available: true,
      imageUrl: null,
      url: "https://shop.test/p1",
      variantTitle: null,
    };
    const message = await createMessage(runtime.database.db, {
      conversationId: conversation.id,
      role: "BOT",
      status: "queued",
      text: "The linen shirt is $24.",
      productCards: [card],
    });
    await sendOutboundMessage.handle({ messageId: message.id }, ctx());
    expect(sends.at(-1)?.message).toMatchObject({ id: message.id, text: "The linen shirt is $24.", productCards: [] });
    expect(await statusOf(message.id)).toMatchObject({ status: "sent" });
  });

  it("marks a message of a `response` channel sent without calling anything", async () => {
    const { conversation } = await conversationOn("api");
    const message = await createMessage(runtime.database.db, {
      conversationId: conversation.id,
      role: "BOT",
      status: "queued",
    });
    const before = sends.length;
    await sendOutboundMessage.handle({ messageId: message.id }, ctx());
    expect(sends.length).toBe(before);
    expect(await statusOf(message.id)).toMatchObject({ status: "sent" });
  });
});
