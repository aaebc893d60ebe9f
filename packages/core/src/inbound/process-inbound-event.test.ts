/**
 * `process-inbound-event` with batches of rows (`eventIds`) against the same rows one job each: the
 * inbox must end the same — messages, order, unread counts, handoffs, bot-reply jobs, live events —
 * and a failing row must fail alone, a replay after a crash must add nothing twice.
 */
import { contacts, conversations, type Db, inboundEvents, jobs, messages } from "@tandem/db";
import { createChannel, createChatbot, createTestWorkspace } from "@tandem/db/testing";
import { messengerWebhook, newMid, serializeLikeMeta, signMessengerBody, textEvent } from "@tandem/simulator";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../../tests/support/runtime.ts";
import { type AppJobDeps, appJobDeps } from "../app-deps.ts";
import { receiveMessengerWebhook } from "../channels/messenger/receive-webhook.ts";
import { receiveCustomerMessage, receiveCustomerMessages } from "../conversations/receive-customer-message.ts";
import type { JobContext } from "../jobs/define-job.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { silentLogger } from "../logger.ts";
import type { Runtime } from "../runtime.ts";
import { processInboundEvent } from "./process-inbound-event.ts";

const APP_SECRET = "batch-test-app-secret";

let runtime: Runtime;
const published: { room: string; event: string; payload: { id?: string; text?: string } }[] = [];
beforeAll(async () => {
  runtime = await createTestRuntime({ FB_APP_SECRET: APP_SECRET });
  // Not started: the jobs the pipeline enqueues stay in the table for the test to read.
  attachTestQueue(runtime);
  runtime.realtime.bind({ emit: (room, event, payload) => published.push({ room, event, payload: payload as never }) });
});
afterAll(() => runtime.close());

const db = (): Db => runtime.database.db;

/** A Page with a chatbot (auto-bot on) in a workspace of its own. */
async function page() {
  const { workspace } = await createTestWorkspace(db());
  const chatbot = await createChatbot(db(), { workspaceId: workspace.id });
  const pageId = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const channel = await createChannel(db(), { workspaceId: workspace.id, externalId: pageId, chatbotId: chatbot.id });
  return { workspaceId: workspace.id, pageId, channel };
}

/** Stores the webhooks (one entry each) without enqueueing anything; answers the row ids in order. */
async function store(pageId: string, texts: { psid: string; text: string }[]): Promise<string[]> {
  const t0 = Date.now() - 60_000;
  for (const [i, { psid, text }] of texts.entries()) {
    const body = serializeLikeMeta(
      messengerWebhook([textEvent({ pageId, psid, text, mid: newMid(), timestamp: t0 + i * 10 })]),
    );
    await receiveMessengerWebhook(
      { db: db(), config: runtime.config, log: silentLogger, queue: null, limiter: runtime.limiter },
      { rawBody: Buffer.from(body), signature: signMessengerBody(APP_SECRET, body) },
    );
  }
  const rows = await db()
    .select({ id: inboundEvents.id })
    .from(inboundEvents)
    .where(eq(inboundEvents.externalId, pageId))
    .orderBy(asc(inboundEvents.id));
  return rows.map((r) => r.id);
}

function run(
  payload: { eventId: string } | { eventIds: string[] },
  options: { attempt?: number; queue?: JobQueue } = {},
) {
  const ctx = {
    ...appJobDeps(runtime),
    ...(options.queue ? { queue: options.queue } : {}),
    jobId: "test",
    jobKey: null,
    name: processInboundEvent.name,
    attempt: options.attempt ?? 1,
    maxAttempts: processInboundEvent.retry.attempts,
    log: silentLogger,
    signal: new AbortController().signal,
  } as JobContext<AppJobDeps>;
  return processInboundEvent.handle(processInboundEvent.schema.parse(payload), ctx);
}

/** What the inbox shows of a channel, with ids replaced by texts so two channels compare equal. */
async function inboxOf(channelId: string) {
  const thread = await db()
    .select()
    .from(messages)
    .where(eq(messages.channelId, channelId))
    .orderBy(asc(messages.createdAt), asc(messages.id));
  const convs = await db().select().from(conversations).where(eq(conversations.channelId, channelId));
  const textOf = new Map(thread.map((m) => [m.id, m.text]));
  const byConversation = convs
    .map((c) => ({
      thread: thread.filter((m) => m.conversationId === c.id).map((m) => `${m.role}:${m.text}`),
      unread: c.unreadCount,
      autoBot: c.autoBot,
      needsHuman: c.needsHuman,
      preview: c.lastMessagePreview,
    }))
    .sort((a, b) => (a.thread[0]! < b.thread[0]! ? -1 : 1));
  const botReplies = await db()
    .select({ payload: jobs.payload })
    .from(jobs)
    .where(
      and(
        eq(jobs.name, "generate-bot-reply"),
        inArray(
          sql`${jobs.payload}->>'triggerMessageId'`,
          thread.map((m) => m.id),
        ),
      ),
    );
  const ids = new Set(thread.map((m) => m.id));
  const live = published
    .filter(
      (p) => p.event === "message:new" && p.payload.id && ids.has(p.payload.id) && p.room.startsWith("conversation:"),
    )
    .map((p) => p.payload.text ?? null);
  const conversationEvents = published.filter(
    (p) => p.event === "conversation:updated" && convs.some((c) => c.id === p.payload.id),
  );
  return {
    byConversation,
    botRepliesTo: botReplies
      .map((j) => textOf.get((j.payload as { triggerMessageId: string }).triggerMessageId))
      .sort(),
    live,
    conversationsUpdated: new Set(conversationEvents.map((p) => p.payload.id)).size,
    conversations: convs.length,
  };
}

/** 24 messages from 5 customers, interleaved; customer 2 asks for a person half-way. */
function burst() {
  return Array.from({ length: 24 }, (_, i) => ({
    psid: `7400${i % 5}`,
    text: i === 11 ? `can I talk to a human please (${i})` : `question ${i} from customer ${i % 5}`,
  }));
}

describe("process-inbound-event in batches", () => {
  it("gives exactly the messages, order, unread counts, handoffs, bot-reply jobs and live events of one job per row", async () => {
    const one = await page();
    const many = await page();
    const texts = burst();
    const oneIds = await store(one.pageId, texts);
    const manyIds = await store(many.pageId, texts);
    expect(manyIds).toHaveLength(24);

    for (const eventId of oneIds) await run({ eventId });
    await run({ eventIds: manyIds });

    const expected = await inboxOf(one.channel.id);
    const actual = await inboxOf(many.channel.id);
    expect(expected.byConversation).toHaveLength(5);
    expect(expected.byConversation.reduce((n, c) => n + c.unread, 0)).toBe(24);
    // The handoff stopped the bot for that customer's later messages.
    expect(expected.byConversation.some((c) => c.needsHuman && !c.autoBot)).toBe(true);
    expect(expected.botRepliesTo.length).toBeLessThan(24);
    expect(actual.byConversation).toEqual(expected.byConversation);
    expect(actual.botRepliesTo).toEqual(expected.botRepliesTo);
    expect(actual.live).toEqual(expected.live);
    // The 24 messages, the handoff's SYSTEM note and the message telling the customer.
    expect(actual.live).toHaveLength(26);
    // Every conversation's latest state reached the inbox.
    expect(actual.conversationsUpdated).toBe(actual.conversations);
    const rows = await db().select().from(inboundEvents).where(inArray(inboundEvents.id, manyIds));
    expect(rows.every((r) => r.status === "processed" && r.attempts === 1)).toBe(true);
  });

  it("fails a poison row alone: its neighbours are processed, and the retry takes only that row", async () => {
    const target = await page();
    const texts = Array.from({ length: 12 }, (_, i) => ({
      psid: `7410${i % 3}`,
      text: i === 5 ? "poison pill" : `fine ${i}`,
    }));
    const ids = await store(target.pageId, texts);
    // The database refuses that one message, as it would a row it cannot take.
    await db().execute(sql`
      create or replace function refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.text = 'poison pill' then raise exception 'poisoned message'; end if;
        return new;
      end $$`);
    await db().execute(
      sql`create trigger refuse_poison before insert on message for each row execute function refuse_poison()`,
    );
    try {
      await expect(run({ eventIds: ids })).rejects.toThrow(/insert into "message"/);
    } finally {
      await db().execute(sql`drop trigger refuse_poison on message`);
    }
    const after = await db().select().from(inboundEvents).where(inArray(inboundEvents.id, ids));
    const poison = after.find((r) => r.id === ids[5])!;
    expect(poison).toMatchObject({ status: "failed", error: expect.stringContaining("poison pill") });
    expect(after.filter((r) => r.status === "processed")).toHaveLength(11);
    expect(
      (await db().select().from(messages).where(eq(messages.channelId, target.channel.id))).map((m) => m.text).sort(),
    ).toEqual(
      texts
        .filter((_, i) => i !== 5)
        .map((t) => t.text)
        .sort(),
    );

    // The job's retry: only the failed row is claimed again.
    await run({ eventIds: ids }, { attempt: 2 });
    const retried = await db().select().from(inboundEvents).where(inArray(inboundEvents.id, ids));
    expect(retried.every((r) => r.status === "processed")).toBe(true);
    expect(retried.find((r) => r.id === ids[5])!.attempts).toBe(2);
    expect(retried.filter((r) => r.attempts === 1)).toHaveLength(11);
    const stored = await db().select().from(messages).where(eq(messages.channelId, target.channel.id));
    expect(stored.map((m) => m.text).sort()).toEqual(texts.map((t) => t.text).sort());
  });

  it("replays a batch that died after its insert without duplicates, and enqueues its follow-ups again", async () => {
    const target = await page();
    const texts = Array.from({ length: 10 }, (_, i) => ({ psid: `7420${i % 4}`, text: `crash ${i}` }));
    const ids = await store(target.pageId, texts);
    // The messages commit, then the process "dies" before any follow-up is enqueued.
    const dying = {
      enqueue: () => Promise.reject(new Error("process died")),
      enqueueMany: () => Promise.reject(new Error("process died")),
    } as unknown as JobQueue;
    await expect(run({ eventIds: ids }, { queue: dying })).rejects.toThrow(/process died/);
    expect(await db().select().from(messages).where(eq(messages.channelId, target.channel.id))).toHaveLength(10);

    await run({ eventIds: ids }, { attempt: 2 });
    const inbox = await inboxOf(target.channel.id);
    expect(inbox.byConversation.flatMap((c) => c.thread)).toHaveLength(10);
    expect(inbox.byConversation.map((c) => c.unread).sort()).toEqual([2, 2, 3, 3]);
    // Every message has its bot reply queued, once.
    expect(inbox.botRepliesTo).toEqual(texts.map((t) => t.text).sort());
    const rows = await db().select().from(inboundEvents).where(inArray(inboundEvents.id, ids));
    expect(rows.every((r) => r.status === "processed")).toBe(true);
  });

  it("stores group messages, a duplicate and a reply within one batch as one by one does", async () => {
    const channelOf = async () => {
      const { workspace } = await createTestWorkspace(db());
      return createChannel(db(), { workspaceId: workspace.id, type: "line" });
    };
    const t0 = Date.now() - 60_000;
    const inputs = (channel: Awaited<ReturnType<typeof channelOf>>, withReply: boolean) => {
      const group = { platformId: `C${channel.id}`, kind: "group" as const };
      const message = (i: number, from: string, thread?: typeof group, replyTo?: number) => ({
        channel,
        from: { platformId: from, kind: "user" as const },
        thread,
        message: {
          platformMessageId: `${channel.id}-m${i}`,
          text: `line ${i}`,
          attachments: [],
          payload: null,
          postback: false,
          replyToPlatformId: replyTo === undefined ? null : `${channel.id}-m${replyTo}`,
          at: new Date(t0 + i * 1000),
        },
      });
      return [
        message(0, "Ualice", group),
        message(1, "Ubob", group),
        message(2, "Ualice"),
        message(1, "Ubob", group), // the same message delivered twice
        message(3, "Ubob", group, withReply ? 0 : undefined),
        message(4, "Ualice"),
      ];
    };
    const deps = { ...appJobDeps(runtime), log: silentLogger };
    // A speaker remembers the group where they first spoke; the two runs' groups differ only by id.
    const sameGroup = (metadata: Record<string, unknown>) =>
      metadata.thread ? { ...metadata, thread: { ...(metadata.thread as object), platformId: "group" } } : metadata;
    const inboxOfLine = async (channelId: string) => {
      const people = await db().select().from(contacts).where(eq(contacts.channelId, channelId));
      const nameOf = new Map(people.map((c) => [c.id, c.platformUserId.startsWith("C") ? "group" : c.platformUserId]));
      const rows = await db()
        .select()
        .from(messages)
        .where(eq(messages.channelId, channelId))
        .orderBy(asc(messages.createdAt), asc(messages.id));
      const convs = await db().select().from(conversations).where(eq(conversations.channelId, channelId));
      return {
        thread: rows.map((m) => ({
          text: m.text,
          speaker: m.senderContactId ? nameOf.get(m.senderContactId) : null,
          repliesTo: m.replyToId ? rows.find((r) => r.id === m.replyToId)?.text : null,
        })),
        conversations: convs
          .map((c) => ({ with: nameOf.get(c.contactId!), unread: c.unreadCount, preview: c.lastMessagePreview }))
          .sort((a, b) => (a.with! < b.with! ? -1 : 1)),
        contacts: people
          .map((c) => ({ who: nameOf.get(c.id), metadata: sameGroup(c.metadata), lastSeenAt: c.lastSeenAt?.getTime() }))
          .sort((a, b) => (a.who! < b.who! ? -1 : 1)),
      };
    };
    for (const withReply of [false, true]) {
      const alone = await channelOf();
      const together = await channelOf();
      for (const input of inputs(alone, withReply)) await receiveCustomerMessage(deps, input);
      const answered = await receiveCustomerMessages(deps, inputs(together, withReply));
      expect(answered.map((m) => m?.text ?? null)).toEqual(["line 0", "line 1", "line 2", null, "line 3", "line 4"]);
      const expected = await inboxOfLine(alone.id);
      expect(expected.conversations).toEqual([
        { with: "Ualice", unread: 2, preview: "line 4" },
        { with: "group", unread: 3, preview: "line 3" },
      ]);
      expect(await inboxOfLine(together.id)).toEqual(expected);
    }
  });
});
