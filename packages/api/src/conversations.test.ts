import type { ConversationDto } from "@tandem/contracts";
import {
  type AppJobDeps,
  appJobDeps,
  createJobQueue,
  JobRegistry,
  type Runtime,
  recordMemberPresence,
  registerAllJobs,
} from "@tandem/core";
import { settleBackgroundTasks } from "@tandem/core/background-tasks";
import { receiveCustomerMessage } from "@tandem/core/conversations/receive-customer-message";
import { auditLogs, contacts, conversations, jobs, messages, workspaces } from "@tandem/db";
import {
  createChannel,
  createChatbot,
  createContact,
  createConversation,
  createMessage,
  createTestWorkspace,
  type TestWorkspace,
} from "@tandem/db/testing";
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { attachTestQueue, createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
// biome-ignore lint/suspicious/noExplicitAny: tests read event payloads loosely, like response bodies
let events: { room: string; event: string; payload: any }[] = [];

beforeAll(async () => {
  runtime = await createTestRuntime();
  // A producer-only queue, as in a web process whose jobs run elsewhere: enqueued jobs stay in the
  // `job` table where the tests read them.
  attachTestQueue(runtime);
  runtime.realtime.bind({ emit: (room, event, payload) => events.push({ room, event, payload }) });
  app = createApp(runtime);
});
afterAll(() => runtime.close());
beforeEach(() => {
  events = [];
});

const db = () => runtime.database.db;
const HOUR = 60 * 60_000;
const ago = (ms: number) => new Date(Date.now() - ms);

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

/** A workspace whose AGENT is signed in, with a Messenger channel. */
async function setup() {
  const ws = await createSignInWorkspace(runtime);
  const agent = await signedIn(ws.agent.user.email);
  const channel = await createChannel(db(), { workspaceId: ws.workspace.id, type: "messenger" });
  return { ws, agent, channel, workspaceId: ws.workspace.id };
}

async function conversationIn(workspaceId: string, overrides: Partial<typeof conversations.$inferInsert> = {}) {
  return createConversation(db(), { workspaceId, lastInboundAt: ago(HOUR), ...overrides });
}

async function listAll(client: TestClient, query: string, limit = 2): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const params = new URLSearchParams(query);
    params.set("limit", String(limit));
    if (cursor) params.set("cursor", cursor);
    const res = await client.get(`/api/v1/conversations?${params}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.data.length).toBeLessThanOrEqual(limit);
    ids.push(...body.data.map((c: { id: string }) => c.id));
    cursor = body.nextCursor;
    if (!cursor) return ids;
  }
  throw new Error("pagination did not end");
}

const jobsWithKey = (key: string) => db().select().from(jobs).where(eq(jobs.jobKey, key));
const eventsOf = (name: string, workspaceId: string) =>
  events.filter((e) => e.event === name && e.room === `workspace:${workspaceId}`);

describe("GET /conversations", () => {
  it("pages by last activity without duplicates or gaps, also across equal and sub-millisecond timestamps", async () => {
    const { agent, workspaceId } = await setup();
    const same = new Date("2024-05-01T10:00:00.000Z");
    const created = [
      await conversationIn(workspaceId, { lastMessageAt: new Date("2024-05-02T10:00:00Z") }),
      await conversationIn(workspaceId, { lastMessageAt: same }),
      await conversationIn(workspaceId, { lastMessageAt: same }),
      await conversationIn(workspaceId, { lastMessageAt: same }),
      await conversationIn(workspaceId, { lastMessageAt: new Date("2024-04-01T10:00:00Z") }),
      await conversationIn(workspaceId),
      await conversationIn(workspaceId),
    ];
    // Two rows inside one millisecond: a cursor rounded to milliseconds would skip one of them.
    await db()
      .update(conversations)
      .set({ lastMessageAt: sql`'2024-03-01T10:00:00.123456Z'::timestamptz` })
      .where(eq(conversations.id, created[5]!.id));
    await db()
      .update(conversations)
      .set({ lastMessageAt: sql`'2024-03-01T10:00:00.123123Z'::timestamptz` })
      .where(eq(conversations.id, created[6]!.id));

    const expected = [
      created[0]!.id,
      ...[created[1]!.id, created[2]!.id, created[3]!.id].sort().reverse(),
      created[4]!.id,
      created[5]!.id,
      created[6]!.id,
    ];
    for (const limit of [1, 2, 3, 100]) expect(await listAll(agent, "", limit)).toEqual(expected);
  });

  it("returns conversations with contact, channel and latest message; not another workspace's nor playground ones", async () => {
    const { agent, channel, workspaceId } = await setup();
    const contact = await createContact(db(), { workspaceId, channelId: channel.id, name: "Mali" });
    const conv = await conversationIn(workspaceId, { channelId: channel.id, contactId: contact.id, unreadCount: 2 });
    await createMessage(db(), { conversationId: conv.id, text: "first", createdAt: ago(2 * HOUR) });
    await createMessage(db(), { conversationId: conv.id, text: "latest", createdAt: ago(HOUR) });
    const other = await createTestWorkspace(db());
    await conversationIn(other.workspace.id);
    await createConversation(db(), { workspaceId, isPlayground: true });

    const body = await (await agent.get("/api/v1/conversations")).json();
    expect(body).toEqual({
      data: [
        expect.objectContaining({
          id: conv.id,
          contact: expect.objectContaining({ name: "Mali", platformUserId: contact.platformUserId }),
          channel: {
            id: channel.id,
            type: "messenger",
            name: channel.name,
            maxTextLength: 2000,
            attachments: expect.objectContaining({ maxFiles: 5, fetchedByUrl: false }),
          },
          status: "OPEN",
          autoBot: true,
          unreadCount: 2,
          lastMessage: expect.objectContaining({ role: "USER", text: "latest" }),
        }),
      ],
      nextCursor: null,
    });
  });

  it("filters by status, channel, channel type, tag, assignee, unread and needs-human", async () => {
    const { ws, agent, channel, workspaceId } = await setup();
    const web = await createChannel(db(), { workspaceId, type: "web" });
    const open = await conversationIn(workspaceId, { channelId: channel.id, tags: ["vip"], unreadCount: 3 });
    const snoozed = await conversationIn(workspaceId, {
      status: "SNOOZED",
      snoozedUntil: new Date(Date.now() + HOUR),
      assigneeId: ws.agent.member.id,
    });
    const wokeUp = await conversationIn(workspaceId, { status: "SNOOZED", snoozedUntil: ago(HOUR) });
    const closed = await conversationIn(workspaceId, {
      channelId: web.id,
      status: "CLOSED",
      assigneeId: ws.admin.member.id,
      needsHuman: true,
      tags: ["vip", "refund"],
    });
    const ids = async (query: string) => new Set(await listAll(agent, query, 100));

    expect(await ids("")).toEqual(new Set([open.id, snoozed.id, wokeUp.id, closed.id]));
    expect(await ids("status=OPEN")).toEqual(new Set([open.id, wokeUp.id]));
    expect(await ids("status=SNOOZED")).toEqual(new Set([snoozed.id]));
    expect(await ids("status=SNOOZED,CLOSED")).toEqual(new Set([snoozed.id, closed.id]));
    expect(await ids(`channelId=${channel.id}`)).toEqual(new Set([open.id]));
    expect(await ids("channelType=web")).toEqual(new Set([closed.id]));
    expect(await ids("tag=VIP")).toEqual(new Set([open.id, closed.id]));
    expect(await ids("tag=refund")).toEqual(new Set([closed.id]));
    expect(await ids("assignee=me")).toEqual(new Set([snoozed.id]));
    expect(await ids(`assignee=${ws.admin.member.id}`)).toEqual(new Set([closed.id]));
    expect(await ids("assignee=none")).toEqual(new Set([open.id, wokeUp.id]));
    expect(await ids("unread=true")).toEqual(new Set([open.id]));
    expect(await ids("unread=false")).toEqual(new Set([snoozed.id, wokeUp.id, closed.id]));
    expect(await ids("needsHuman=true")).toEqual(new Set([closed.id]));
    expect(await ids("status=OPEN&tag=vip&unread=true")).toEqual(new Set([open.id]));

    const [woke] = (await (await agent.get(`/api/v1/conversations?status=OPEN`)).json()).data.filter(
      (c: { id: string }) => c.id === wokeUp.id,
    );
    expect(woke).toMatchObject({ status: "OPEN", snoozedUntil: null });
  });

  it("searches contact names and message text, in this workspace only", async () => {
    const { agent, channel, workspaceId } = await setup();
    const named = async (name: string) =>
      conversationIn(workspaceId, {
        channelId: channel.id,
        contactId: (await createContact(db(), { workspaceId, channelId: channel.id, name })).id,
      });
    const somchai = await named("Somchai Jaidee");
    const [somchaiContact] = await db().select().from(contacts).where(eq(contacts.id, somchai.contactId!));
    const anna = await named("Anna 100% Real");
    const byText = await named("Bob");
    await createMessage(db(), { conversationId: byText.id, text: "Where is my parcel? Order #4411" });
    await createMessage(db(), { conversationId: byText.id, text: "Still waiting for the parcel" });
    await createMessage(db(), { conversationId: anna.id, text: "thanks" });
    const other = await createTestWorkspace(db());
    const foreign = await conversationIn(other.workspace.id, {
      contactId: (await createContact(db(), { workspaceId: other.workspace.id, name: "Somchai Other" })).id,
    });
    await createMessage(db(), { conversationId: foreign.id, text: "parcel parcel" });

    const search = (q: string, filters = "") => listAll(agent, `search=${encodeURIComponent(q)}&${filters}`, 100);
    expect(await search("somchai")).toEqual([somchai.id]);
    expect(await search("JAIDEE")).toEqual([somchai.id]);
    expect(await search("parcel")).toEqual([byText.id]);
    expect(await search("waiting parcel")).toEqual([byText.id]);
    expect(await search("100%")).toEqual([anna.id]);
    expect(await search("%")).toEqual([anna.id]);
    expect(await search("nothing-like-this")).toEqual([]);
    // Text pg_trgm cannot narrow goes through the bigram index: Thai, Japanese, two letters, one character.
    const thai = await named("สมชาย ใจดี");
    const japanese = await named("佐藤 花子");
    expect(await search("ใจดี")).toEqual([thai.id]);
    expect(await search("สมชาย ใจ")).toEqual([thai.id]);
    expect(await search("ชายใจ")).toEqual([]);
    expect(await search("佐藤")).toEqual([japanese.id]);
    expect(await search("藤 花")).toEqual([japanese.id]);
    expect(await search("花")).toEqual([japanese.id]);
    expect(await search("AN")).toEqual([anna.id]);
    expect(await search("na 1")).toEqual([anna.id]);
    await db()
      .delete(conversations)
      .where(inArray(conversations.id, [thai.id, japanese.id]));
    expect(await search("parcel", "status=OPEN")).toEqual([byText.id]);
    // Several matches, one per page: the first pages come from probing the newest conversations,
    // the last from the text index; together they list every match once, newest first.
    for (const conv of [somchai, anna, byText]) await createMessage(db(), { conversationId: conv.id, text: "refund?" });
    const unrelated = await named("Zed");
    const newestFirst = (await db().select().from(conversations).where(eq(conversations.workspaceId, workspaceId)))
      .sort((a, b) => b.lastMessageAt.getTime() - a.lastMessageAt.getTime() || (a.id < b.id ? 1 : -1))
      .map((c) => c.id)
      .filter((id) => id !== unrelated.id);
    expect(newestFirst).toHaveLength(3);
    expect(await listAll(agent, "search=refund", 1)).toEqual(newestFirst);
    expect(await search("parcel", "status=CLOSED")).toEqual([]);
    expect(await search(somchaiContact!.platformUserId)).toEqual([somchai.id]);
  });

  it("finds words inside Thai text and without accents, and shows the matching message highlighted", async () => {
    const { agent, channel, workspaceId } = await setup();
    const named = async (name: string) =>
      conversationIn(workspaceId, {
        channelId: channel.id,
        contactId: (await createContact(db(), { workspaceId, channelId: channel.id, name })).id,
      });
    const thai = await named("Somsak");
    const asking = await createMessage(db(), { conversationId: thai.id, text: "ขอคุยกับพนักงานหน่อยครับ" });
    await createMessage(db(), { conversationId: thai.id, text: "ขอบคุณครับ" });
    // The same bigrams as "พนักงาน", apart: not a match.
    const scattered = await named("Decoy");
    await createMessage(db(), { conversationId: scattered.id, text: "พน กงาน นัก" });
    const zoe = await named("Zoë Müller");
    const accented = await named("Ana");
    await createMessage(db(), {
      conversationId: accented.id,
      text: "Le café était fermé, je voudrais un remboursement",
    });
    const japanese = await named("Ken");
    await createMessage(db(), { conversationId: japanese.id, text: "注文した商品がまだ届きません" });

    const page = async (q: string) =>
      (await (await agent.get(`/api/v1/conversations?search=${encodeURIComponent(q)}`)).json())
        .data as ConversationDto[];
    const ids = async (q: string) => (await page(q)).map((c) => c.id).sort();

    expect(await ids("พนักงาน")).toEqual([thai.id]);
    expect(await ids("คุยกับ")).toEqual([thai.id]);
    expect(await ids("zoe")).toEqual([zoe.id]);
    expect(await ids("ZOË MULLER")).toEqual([zoe.id]);
    expect(await ids("cafe ferme")).toEqual([accented.id]);
    expect(await ids("CAFÉ")).toEqual([accented.id]);
    expect(await ids("商品")).toEqual([japanese.id]);
    expect(await ids("届き")).toEqual([japanese.id]);
    expect(await ids("品届")).toEqual([]);

    const [hit] = await page("พนักงาน");
    expect(hit!.match).toMatchObject({ messageId: asking.id, role: "USER", snippet: "ขอคุยกับพนักงานหน่อยครับ" });
    const [start, end] = hit!.match!.highlights[0]!;
    expect(hit!.match!.snippet.slice(start, end)).toBe("พนักงาน");

    const [cafe] = await page("cafe");
    expect(cafe!.match!.highlights.map(([a, b]) => cafe!.match!.snippet.slice(a, b))).toEqual(["café"]);
    // Only the contact matched: no message to show.
    const [byName] = await page("zoe");
    expect(byName!.match).toBeUndefined();
  });

  it("counts the Mine / Unassigned / All views of the list's status and filters", async () => {
    const { ws, agent, channel, workspaceId } = await setup();
    const mine = { channelId: channel.id, assigneeId: ws.agent.member.id };
    await conversationIn(workspaceId, mine);
    await conversationIn(workspaceId, { ...mine, unreadCount: 2 });
    await conversationIn(workspaceId, { ...mine, status: "CLOSED" });
    await conversationIn(workspaceId, { channelId: channel.id, assigneeId: ws.admin.member.id });
    await conversationIn(workspaceId, { channelId: channel.id, unreadCount: 1 });
    await conversationIn(workspaceId, { isPlayground: true });
    const other = await createTestWorkspace(db());
    await conversationIn(other.workspace.id);

    const counts = async (query: string) => {
      const res = await agent.get(`/api/v1/conversations/counts?${query}`);
      expect(res.status).toBe(200);
      return res.json();
    };
    expect(await counts("status=OPEN")).toEqual({ mine: 2, unassigned: 1, all: 4 });
    expect(await counts("status=OPEN&unread=true")).toEqual({ mine: 1, unassigned: 1, all: 2 });
    expect(await counts("status=CLOSED")).toEqual({ mine: 1, unassigned: 0, all: 1 });
    expect(await counts("")).toEqual({ mine: 3, unassigned: 1, all: 5 });
    expect((await agent.get("/api/v1/conversations/counts?status=NOPE")).status).toBe(400);
  });

  it("acts on several conversations at once, in this workspace's inbox only", async () => {
    const { ws, agent, channel, workspaceId } = await setup();
    const a = await conversationIn(workspaceId, { channelId: channel.id, needsHuman: true, tags: ["vip"] });
    const b = await conversationIn(workspaceId, { channelId: channel.id, unreadCount: 0, tags: ["late", "vip"] });
    const playground = await conversationIn(workspaceId, { isPlayground: true });
    const other = await createTestWorkspace(db());
    const foreign = await conversationIn(other.workspace.id);
    const bulk = (body: Record<string, unknown>) =>
      agent.post("/api/v1/conversations/bulk", { conversationIds: [a.id, b.id], ...body });
    const row = async (id: string) => (await db().select().from(conversations).where(eq(conversations.id, id)))[0]!;

    const closed = await agent.post("/api/v1/conversations/bulk", {
      action: "close",
      conversationIds: [a.id, b.id, foreign.id, playground.id, "conv_nope", a.id],
    });
    expect(closed.status).toBe(200);
    const body = await closed.json();
    expect(body.data.map((c: ConversationDto) => [c.id, c.status, c.needsHuman])).toEqual([
      [a.id, "CLOSED", false],
      [b.id, "CLOSED", false],
    ]);
    expect(body.notFound).toEqual([foreign.id, playground.id, "conv_nope"]);
    expect((await row(foreign.id)).status).toBe("OPEN");
    expect((await row(playground.id)).status).toBe("OPEN");

    expect((await bulk({ action: "reopen" })).status).toBe(200);
    expect((await row(a.id)).status).toBe("OPEN");

    expect((await bulk({ action: "assign", assigneeId: ws.admin.member.id })).status).toBe(200);
    expect([(await row(a.id)).assigneeId, (await row(b.id)).assigneeId]).toEqual([
      ws.admin.member.id,
      ws.admin.member.id,
    ]);
    // Another workspace's member: refused, nothing changes.
    const refused = await bulk({ action: "assign", assigneeId: other.agent.member.id });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.code).toBe("invalid_assignee");
    expect((await row(a.id)).assigneeId).toBe(ws.admin.member.id);
    expect((await bulk({ action: "assign", assigneeId: null })).status).toBe(200);
    expect((await row(b.id)).assigneeId).toBeNull();

    expect((await bulk({ action: "addTags", tags: [" Refund ", "VIP"] })).status).toBe(200);
    expect([(await row(a.id)).tags, (await row(b.id)).tags]).toEqual([
      ["vip", "refund"],
      ["late", "vip", "refund"],
    ]);
    expect((await bulk({ action: "removeTags", tags: ["VIP"] })).status).toBe(200);
    expect([(await row(a.id)).tags, (await row(b.id)).tags]).toEqual([["refund"], ["late", "refund"]]);

    expect((await bulk({ action: "markUnread" })).status).toBe(200);
    expect((await row(b.id)).unreadCount).toBe(1);
    expect((await bulk({ action: "markRead" })).status).toBe(200);
    expect((await row(b.id)).unreadCount).toBe(0);

    for (const bad of [
      { action: "close", conversationIds: [] },
      { action: "close", conversationIds: Array.from({ length: 101 }, (_, i) => `conv_${i}`) },
      { action: "explode", conversationIds: [a.id] },
      { action: "addTags", conversationIds: [a.id], tags: [] },
    ]) {
      expect((await agent.post("/api/v1/conversations/bulk", bad)).status).toBe(400);
    }
  });

  it("rejects bad filters and cursors", async () => {
    const { agent } = await setup();
    expect((await agent.get("/api/v1/conversations?status=OPEN,WHATEVER")).status).toBe(400);
    expect((await agent.get("/api/v1/conversations?limit=1000")).status).toBe(400);
    const res = await agent.get("/api/v1/conversations?cursor=not-a-cursor");
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_cursor");
  });
});

describe("GET /conversations/{id} and its messages", () => {
  it("returns one conversation; another workspace's is 404", async () => {
    const { agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);
    const res = await agent.get(`/api/v1/conversations/${conv.id}`);
    expect(res.status).toBe(200);
    expect((await res.json()).id).toBe(conv.id);

    const other = await createTestWorkspace(db());
    const foreign = await conversationIn(other.workspace.id);
    await createMessage(db(), { conversationId: foreign.id });
    for (const path of [`/conversations/${foreign.id}`, `/conversations/${foreign.id}/messages`]) {
      const r = await agent.get(`/api/v1${path}`);
      expect(r.status).toBe(404);
      expect((await r.json()).error.code).toBe("conversation_not_found");
    }
  });

  it("pages a thread from its end: each page chronological, the cursor going back in time", async () => {
    const { agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);
    const start = Date.now() - 10 * HOUR;
    const sent = [];
    for (let i = 0; i < 5; i++) {
      // Two messages share each timestamp: the id breaks the tie.
      sent.push(
        await createMessage(db(), {
          conversationId: conv.id,
          text: `m${i}`,
          createdAt: new Date(start + Math.floor(i / 2) * 1000),
        }),
      );
    }
    const chronological = [...sent]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id))
      .map((m) => m.id);

    const first = await (await agent.get(`/api/v1/conversations/${conv.id}/messages?limit=2`)).json();
    expect(first.data.map((m: { id: string }) => m.id)).toEqual(chronological.slice(3));
    const second = await (
      await agent.get(`/api/v1/conversations/${conv.id}/messages?limit=2&cursor=${first.nextCursor}`)
    ).json();
    expect(second.data.map((m: { id: string }) => m.id)).toEqual(chronological.slice(1, 3));
    const third = await (
      await agent.get(`/api/v1/conversations/${conv.id}/messages?limit=2&cursor=${second.nextCursor}`)
    ).json();
    expect(third.data.map((m: { id: string }) => m.id)).toEqual(chronological.slice(0, 1));
    expect(third.nextCursor).toBeNull();
    expect(first.data[0]).toMatchObject({ conversationId: conv.id, role: "USER", status: "received" });
  });

  it("carries a bot message's product cards, so the inbox shows what the customer saw; null on other messages", async () => {
    const { agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);
    const card = {
      productId: "gid://shopify/Product/1",
      title: "Linen shirt",
      priceText: "฿1,290.00",
      price: "1290.00",
      currency: "THB",
      available: false,
      imageUrl: "https://cdn.shopify.test/linen.jpg",
      url: "https://shop.test/products/linen-shirt",
      variantTitle: "M / Natural",
    };
    const question = await createMessage(db(), {
      conversationId: conv.id,
      text: "Linen shirt in M?",
      createdAt: ago(2000),
    });
    const answer = await createMessage(db(), {
      conversationId: conv.id,
      role: "BOT",
      status: "sent",
      text: "The linen shirt in M is out of stock right now.",
      productCards: [card],
      createdAt: ago(1000),
    });
    const page = await (await agent.get(`/api/v1/conversations/${conv.id}/messages`)).json();
    const byId = new Map(page.data.map((m: { id: string; productCards: unknown }) => [m.id, m.productCards]));
    expect(byId.get(question.id)).toBeNull();
    expect(byId.get(answer.id)).toEqual([card]);
  });
});

describe("PATCH /conversations/{id}", () => {
  it("changes status, assignee, tags and notes, and publishes the conversation", async () => {
    const { ws, agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);
    const res = await agent.patch(`/api/v1/conversations/${conv.id}`, {
      status: "CLOSED",
      assigneeId: ws.admin.member.id,
      tags: [" VIP ", "vip", "Late  Delivery"],
      notes: "Prefers LINE",
    });
    expect(res.status).toBe(200);
    const dto = await res.json();
    expect(dto).toMatchObject({
      status: "CLOSED",
      assigneeId: ws.admin.member.id,
      tags: ["vip", "late delivery"],
      notes: "Prefers LINE",
    });
    expect(eventsOf("conversation:updated", workspaceId).map((e) => e.payload)).toEqual([dto]);

    const unassigned = await (await agent.patch(`/api/v1/conversations/${conv.id}`, { assigneeId: null })).json();
    expect(unassigned).toMatchObject({ assigneeId: null, status: "CLOSED", tags: ["vip", "late delivery"] });
  });

  it("snoozes until a time, and reopening clears it", async () => {
    const { agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);
    const until = new Date(Date.now() + 2 * HOUR).toISOString();
    const snoozed = await (
      await agent.patch(`/api/v1/conversations/${conv.id}`, { status: "SNOOZED", snoozedUntil: until })
    ).json();
    expect(snoozed).toMatchObject({ status: "SNOOZED", snoozedUntil: until });
    const reopened = await (await agent.patch(`/api/v1/conversations/${conv.id}`, { status: "OPEN" })).json();
    expect(reopened).toMatchObject({ status: "OPEN", snoozedUntil: null });
    const [row] = await db().select().from(conversations).where(eq(conversations.id, conv.id));
    expect(row!.snoozedUntil).toBeNull();
  });

  it("rejects bad input and changes nothing", async () => {
    const { agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId, { tags: ["keep"] });
    const other = await createTestWorkspace(db());
    const cases: [unknown, string][] = [
      [{ status: "DONE" }, "invalid_input"],
      [{}, "invalid_input"],
      [{ snoozedUntil: new Date(Date.now() + HOUR).toISOString() }, "invalid_input"],
      [{ status: "SNOOZED", snoozedUntil: ago(HOUR).toISOString() }, "invalid_input"],
      [{ assigneeId: other.agent.member.id, tags: ["changed"] }, "invalid_assignee"],
      [{ assigneeId: "mem_nobody" }, "invalid_assignee"],
    ];
    for (const [body, code] of cases) {
      const res = await agent.patch(`/api/v1/conversations/${conv.id}`, body);
      expect(res.status).toBe(400);
      expect((await res.json()).error.code).toBe(code);
    }
    const [row] = await db().select().from(conversations).where(eq(conversations.id, conv.id));
    expect(row).toMatchObject({ status: "OPEN", assigneeId: null, tags: ["keep"], snoozedUntil: null });
    expect(eventsOf("conversation:updated", workspaceId)).toEqual([]);

    const foreign = await conversationIn(other.workspace.id);
    expect((await agent.patch(`/api/v1/conversations/${foreign.id}`, { status: "CLOSED" })).status).toBe(404);
  });
});

describe("POST /conversations/{id}/read", () => {
  it("sets the unread count to zero and publishes it", async () => {
    const { agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId, { unreadCount: 4 });
    const res = await agent.post(`/api/v1/conversations/${conv.id}/read`);
    expect(res.status).toBe(200);
    expect((await res.json()).unreadCount).toBe(0);
    expect(eventsOf("conversation:updated", workspaceId).map((e) => e.payload.unreadCount)).toEqual([0]);

    const other = await createTestWorkspace(db());
    const foreign = await conversationIn(other.workspace.id, { unreadCount: 1 });
    expect((await agent.post(`/api/v1/conversations/${foreign.id}/read`)).status).toBe(404);
    const [row] = await db().select().from(conversations).where(eq(conversations.id, foreign.id));
    expect(row!.unreadCount).toBe(1);
  });
});

describe("POST /conversations/{id}/auto-bot", () => {
  it("turns the bot off and on with a SYSTEM event in the thread, and hands the conversation back", async () => {
    const { ws, agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);

    const off = await agent.post(`/api/v1/conversations/${conv.id}/auto-bot`, { enabled: false });
    expect(off.status).toBe(200);
    expect((await off.json()).autoBot).toBe(false);
    const name = ws.agent.user.name;
    expect(eventsOf("message:new", workspaceId).map((e) => e.payload)).toEqual([
      expect.objectContaining({ role: "SYSTEM", kind: "event", text: `Auto-bot turned off by ${name}` }),
    ]);
    expect(events.some((e) => e.room === `conversation:${conv.id}` && e.event === "message:new")).toBe(true);
    expect(eventsOf("conversation:updated", workspaceId).map((e) => e.payload.autoBot)).toEqual([false]);

    // The bot handed over and an agent replied meanwhile.
    await db()
      .update(conversations)
      .set({ needsHuman: true, handoffReason: "human_request", consecutiveBotReplies: 3, humanRepliedAt: new Date() })
      .where(eq(conversations.id, conv.id));
    const on = await (await agent.post(`/api/v1/conversations/${conv.id}/auto-bot`, { enabled: true })).json();
    expect(on).toMatchObject({ autoBot: true, needsHuman: false, handoffReason: null });
    const [row] = await db().select().from(conversations).where(eq(conversations.id, conv.id));
    expect(row).toMatchObject({ consecutiveBotReplies: 0, humanRepliedAt: null });

    // Asking for the state it is already in changes nothing.
    events = [];
    await agent.post(`/api/v1/conversations/${conv.id}/auto-bot`, { enabled: true });
    expect(events).toEqual([]);
    const thread = await (await agent.get(`/api/v1/conversations/${conv.id}/messages`)).json();
    expect(thread.data.map((m: { text: string }) => m.text)).toEqual([
      `Auto-bot turned off by ${name}`,
      `Auto-bot turned on by ${name}`,
    ]);
    // Events are not the conversation's preview.
    expect(on.lastMessage).toBeNull();
  });

  it("is 404 for another workspace's conversation and 400 without `enabled`", async () => {
    const { agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);
    expect((await agent.post(`/api/v1/conversations/${conv.id}/auto-bot`, {})).status).toBe(400);
    const other = await createTestWorkspace(db());
    const foreign = await conversationIn(other.workspace.id);
    expect((await agent.post(`/api/v1/conversations/${foreign.id}/auto-bot`, { enabled: false })).status).toBe(404);
    const [row] = await db().select().from(conversations).where(eq(conversations.id, foreign.id));
    expect(row!.autoBot).toBe(true);
  });
});

describe("POST /conversations/{id}/messages", () => {
  it("stores an agent reply as queued, silences the bot and enqueues the send", async () => {
    const { ws, agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId, { unreadCount: 2, lastMessageAt: ago(HOUR) });
    await createMessage(db(), { conversationId: conv.id, text: "hello?" });

    const res = await agent.post(`/api/v1/conversations/${conv.id}/messages`, { text: "  Hi, how can I help?  " });
    expect(res.status).toBe(201);
    const message = await res.json();
    expect(message).toMatchObject({
      conversationId: conv.id,
      role: "AGENT",
      kind: "text",
      text: "Hi, how can I help?",
      status: "queued",
      authorMemberId: ws.agent.member.id,
    });

    const [job] = await jobsWithKey(`send:${message.id}`);
    expect(job).toMatchObject({ name: "send-outbound-message", payload: { messageId: message.id }, status: "waiting" });
    const [row] = await db().select().from(conversations).where(eq(conversations.id, conv.id));
    expect(row!.humanRepliedAt).not.toBeNull();
    expect(row!.autoBot).toBe(false);
    expect(row!.lastMessageAt.getTime()).toBeGreaterThan(ago(HOUR).getTime());
    expect(row!.unreadCount).toBe(0);
    expect(eventsOf("message:new", workspaceId).map((e) => e.payload)).toEqual([message]);
    expect(eventsOf("conversation:updated", workspaceId).map((e) => e.payload.lastMessage.id)).toEqual([message.id]);
  });

  it("assigns an unassigned conversation to the agent who replies, unless the workspace turned that off", async () => {
    const { ws, agent, workspaceId } = await setup();
    const admin = await signedIn(ws.admin.user.email);
    const unassigned = await conversationIn(workspaceId);
    const taken = await conversationIn(workspaceId, { assigneeId: ws.admin.member.id });
    const assigneeOf = async (id: string) =>
      (await db().select().from(conversations).where(eq(conversations.id, id)))[0]!.assigneeId;

    expect(await (await agent.get("/api/v1/settings/inbox")).json()).toEqual({
      assignOnReply: true,
      autoAssign: "off",
    });
    // A note is not a reply.
    await agent.post(`/api/v1/conversations/${unassigned.id}/messages`, { text: "checking", internal: true });
    expect(await assigneeOf(unassigned.id)).toBeNull();
    expect((await agent.post(`/api/v1/conversations/${unassigned.id}/messages`, { text: "On it!" })).status).toBe(201);
    expect(await assigneeOf(unassigned.id)).toBe(ws.agent.member.id);
    // Someone else's conversation stays theirs.
    expect((await agent.post(`/api/v1/conversations/${taken.id}/messages`, { text: "Helping out" })).status).toBe(201);
    expect(await assigneeOf(taken.id)).toBe(ws.admin.member.id);

    // Only OWNER / ADMIN change the setting; bad input changes nothing.
    expect((await agent.patch("/api/v1/settings/inbox", { assignOnReply: false })).status).toBe(403);
    expect((await admin.patch("/api/v1/settings/inbox", { assignOnReply: "no" })).status).toBe(400);
    expect((await admin.patch("/api/v1/settings/inbox", {})).status).toBe(400);
    const off = await admin.patch("/api/v1/settings/inbox", { assignOnReply: false });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ assignOnReply: false, autoAssign: "off" });
    const audit = await db().select().from(auditLogs).where(eq(auditLogs.workspaceId, workspaceId));
    expect(audit.filter((a) => a.action === "workspace.inbox_settings.update")).toHaveLength(1);

    const later = await conversationIn(workspaceId);
    expect((await agent.post(`/api/v1/conversations/${later.id}/messages`, { text: "Hello" })).status).toBe(201);
    expect(await assigneeOf(later.id)).toBeNull();
    // Another workspace keeps its own setting.
    expect((await db().select().from(workspaces).where(eq(workspaces.id, workspaceId)))[0]!.settings).toEqual({
      inbox: { assignOnReply: false },
    });
  });

  it("assigns waiting conversations round-robin among the members online, when the workspace turns it on", async () => {
    const { ws, workspaceId, channel } = await setup();
    const admin = await signedIn(ws.admin.user.email);
    const deps = appJobDeps(runtime);
    let n = 0;
    const customerWrites = async (text: string, onChannel = channel) => {
      n += 1;
      const message = await receiveCustomerMessage(deps, {
        channel: onChannel,
        from: { platformId: `rr-${n}-${Math.random()}`, kind: "user" },
        message: {
          platformMessageId: `m-rr-${n}-${Math.random()}`,
          text,
          attachments: [],
          payload: null,
          postback: false,
          replyToPlatformId: null,
          at: new Date(),
        },
      });
      const [row] = await db().select().from(conversations).where(eq(conversations.id, message!.conversationId));
      return row!;
    };

    // Off by default: nobody is assigned, even with people online.
    await recordMemberPresence(db(), workspaceId, [ws.agent.user.id, ws.admin.user.id]);
    expect((await customerWrites("Hello?")).assigneeId).toBeNull();

    expect((await admin.patch("/api/v1/settings/inbox", { autoAssign: "sometimes" })).status).toBe(400);
    const on = await admin.patch("/api/v1/settings/inbox", { autoAssign: "round_robin" });
    expect(await on.json()).toEqual({ assignOnReply: true, autoAssign: "round_robin" });

    // No bot answers this channel: each new conversation goes to the online member whose turn it is.
    const first = await customerWrites("Is anyone there?");
    const second = await customerWrites("Hi");
    const third = await customerWrites("Hello");
    const online = [ws.agent.member.id, ws.admin.member.id];
    expect(online).toContain(first.assigneeId);
    expect(online).toContain(second.assigneeId);
    expect(second.assigneeId).not.toBe(first.assigneeId);
    expect(third.assigneeId).toBe(first.assigneeId);
    // The owner is offline and never picked; the live update carries the assignee.
    await settleBackgroundTasks();
    const updated = events.filter((e) => e.event === "conversation:updated" && e.payload.id === third.id);
    expect(updated.at(-1)?.payload.assigneeId).toBe(third.assigneeId);

    // A conversation someone owns stays theirs; a later message does not move it.
    const again = await receiveCustomerMessage(deps, {
      channel,
      from: {
        platformId: (await db().select().from(contacts).where(eq(contacts.id, first.contactId!)))[0]!.platformUserId,
        kind: "user",
      },
      message: {
        platformMessageId: `m-again-${Math.random()}`,
        text: "still there?",
        attachments: [],
        payload: null,
        postback: false,
        replyToPlatformId: null,
        at: new Date(),
      },
    });
    expect(again!.conversationId).toBe(first.id);
    expect((await db().select().from(conversations).where(eq(conversations.id, first.id)))[0]!.assigneeId).toBe(
      first.assigneeId,
    );

    // A bot conversation is assigned when it is handed to a person, not before.
    const bot = await createChatbot(db(), { workspaceId });
    const botChannel = await createChannel(db(), { workspaceId, type: "messenger", chatbotId: bot.id });
    await recordMemberPresence(db(), workspaceId, [ws.admin.user.id]);
    expect((await customerWrites("What are your opening hours?", botChannel)).assigneeId).toBeNull();
    const handedOff = await customerWrites("I want to talk to a human", botChannel);
    expect(handedOff).toMatchObject({ needsHuman: true, assigneeId: ws.admin.member.id });

    // Nobody online (or their presence lapsed): the conversation waits unassigned.
    await recordMemberPresence(db(), workspaceId, []);
    expect((await customerWrites("Anyone?")).assigneeId).toBeNull();
    await recordMemberPresence(db(), workspaceId, [ws.agent.user.id], new Date(Date.now() - 10 * 60_000));
    expect((await customerWrites("Anyone at all?")).assigneeId).toBeNull();
  });

  it("answers 'needs human': an agent's reply or closing clears it, a note does not; the handoff time stays", async () => {
    const { agent, workspaceId } = await setup();
    const since = ago(HOUR);
    const handedOff = { autoBot: false, needsHuman: true, handoffReason: "human_requested", handoffAt: since };
    const replied = await conversationIn(workspaceId, handedOff);
    await createMessage(db(), { conversationId: replied.id, text: "a person please" });
    const listed = await (await agent.get("/api/v1/conversations?needsHuman=true")).json();
    expect(listed.data.find((c: { id: string }) => c.id === replied.id)).toMatchObject({
      needsHuman: true,
      handoffAt: since.toISOString(),
    });

    await agent.post(`/api/v1/conversations/${replied.id}/messages`, { text: "a note", internal: true });
    expect((await (await agent.get(`/api/v1/conversations/${replied.id}`)).json()).needsHuman).toBe(true);
    await agent.post(`/api/v1/conversations/${replied.id}/messages`, { text: "Hi, I'm here." });
    const after = await (await agent.get(`/api/v1/conversations/${replied.id}`)).json();
    expect(after).toMatchObject({ needsHuman: false, autoBot: false, handoffReason: "human_requested" });
    expect(after.handoffAt).toBe(since.toISOString());

    const closed = await conversationIn(workspaceId, handedOff);
    const res = await agent.patch(`/api/v1/conversations/${closed.id}`, { status: "CLOSED" });
    expect(await res.json()).toMatchObject({ status: "CLOSED", needsHuman: false });
    const reopened = await conversationIn(workspaceId, handedOff);
    expect(await (await agent.patch(`/api/v1/conversations/${reopened.id}`, { tags: ["vip"] })).json()).toMatchObject({
      needsHuman: true,
    });
  });

  it("checks the conversation's memory after an agent reply: the summary is due every K messages, bot or not", async () => {
    const { workspaceId, agent } = await setup();
    const bot = await createChatbot(db(), { workspaceId, isDefault: true, memorySettings: { summarizeAfter: 2 } });
    const conv = await conversationIn(workspaceId, { chatbotId: bot.id, autoBot: false });
    await createMessage(db(), { conversationId: conv.id, text: "My order 1234 never arrived" });

    expect((await agent.post(`/api/v1/conversations/${conv.id}/messages`, { text: "Let me check." })).status).toBe(201);
    await settleBackgroundTasks();
    const [job] = await jobsWithKey(`summary:${conv.id}:1`);
    expect(job).toMatchObject({ name: "summarize-conversation", payload: { conversationId: conv.id } });
  });

  it("stores an internal note that is never sent", async () => {
    const { agent, workspaceId } = await setup();
    // Far outside the messaging window: a note is not a message to the customer.
    const conv = await conversationIn(workspaceId, { lastInboundAt: ago(30 * 24 * HOUR) });
    const res = await agent.post(`/api/v1/conversations/${conv.id}/messages`, {
      text: "Customer is a reseller",
      internal: true,
    });
    expect(res.status).toBe(201);
    const note = await res.json();
    expect(note).toMatchObject({ role: "AGENT", kind: "note", status: "sent", text: "Customer is a reseller" });
    const sendJobs = await db()
      .select()
      .from(jobs)
      .where(and(eq(jobs.name, "send-outbound-message"), sql`${jobs.payload}->>'messageId' = ${note.id}`));
    expect(sendJobs).toEqual([]);
    const [row] = await db().select().from(conversations).where(eq(conversations.id, conv.id));
    expect(row!.humanRepliedAt).toBeNull();
  });

  it("asks the bot for one reply now: 409 without a chatbot (the details: bot-replies.test.ts)", async () => {
    const { agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);
    const res = await agent.post(`/api/v1/conversations/${conv.id}/messages`, { sendAs: "BOT" });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("no_chatbot");
    expect(await db().select().from(messages).where(eq(messages.conversationId, conv.id))).toEqual([]);
  });

  it("refuses Messenger replies outside the window up front: 7 days for agents, 24 hours for the bot", async () => {
    const { agent, channel, workspaceId } = await setup();
    const stale = await conversationIn(workspaceId, { channelId: channel.id, lastInboundAt: ago(8 * 24 * HOUR) });
    const res = await agent.post(`/api/v1/conversations/${stale.id}/messages`, { text: "Sorry for the delay" });
    expect(res.status).toBe(409);
    const { error } = await res.json();
    expect(error.code).toBe("outside_messaging_window");
    expect(error.message).toMatch(/7 days/);
    expect(await db().select().from(messages).where(eq(messages.conversationId, stale.id))).toEqual([]);

    const dayOld = await conversationIn(workspaceId, {
      contactId: (await createContact(db(), { workspaceId, channelId: channel.id })).id,
      channelId: channel.id,
      lastInboundAt: ago(2 * 24 * HOUR),
    });
    const asBot = await agent.post(`/api/v1/conversations/${dayOld.id}/messages`, { sendAs: "BOT" });
    expect(asBot.status).toBe(409);
    expect((await asBot.json()).error.message).toMatch(/24 hours/);
    expect((await agent.post(`/api/v1/conversations/${dayOld.id}/messages`, { text: "Hello" })).status).toBe(201);

    // The website widget has no such window.
    const web = await createChannel(db(), { workspaceId, type: "web" });
    const widget = await conversationIn(workspaceId, { channelId: web.id, lastInboundAt: ago(30 * 24 * HOUR) });
    expect((await agent.post(`/api/v1/conversations/${widget.id}/messages`, { text: "Hello" })).status).toBe(201);
  });

  it("marks the reply failed, with a reason, when the queue refuses it; a retry sends it later", async () => {
    const { agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);
    const working = runtime.queue!;
    const stopped = createJobQueue<AppJobDeps>({
      db: db(),
      registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
      deps: appJobDeps(runtime),
      log: runtime.log,
    });
    await stopped.stop();
    runtime.queue = stopped;
    try {
      expect((await agent.post(`/api/v1/conversations/${conv.id}/messages`, { text: "Hello" })).status).toBe(500);
    } finally {
      runtime.queue = working;
    }
    const [message] = await db().select().from(messages).where(eq(messages.conversationId, conv.id));
    expect(message).toMatchObject({ role: "AGENT", status: "failed", errorCode: "queue_unavailable" });
    expect(eventsOf("message:updated", workspaceId).map((e) => e.payload.status)).toEqual(["failed"]);

    expect((await agent.post(`/api/v1/messages/${message!.id}/retry`)).status).toBe(200);
    expect(await jobsWithKey(`send:${message!.id}:retry:1`)).toHaveLength(1);
  });

  it("rejects an empty reply and another workspace's conversation", async () => {
    const { agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);
    for (const body of [{}, { text: "   " }, { text: "x", sendAs: "BOT", internal: true }]) {
      expect((await agent.post(`/api/v1/conversations/${conv.id}/messages`, body)).status).toBe(400);
    }
    const other = await createTestWorkspace(db());
    const foreign = await conversationIn(other.workspace.id);
    for (const body of [{ text: "hi" }, { text: "hi", internal: true }, { sendAs: "BOT" }]) {
      expect((await agent.post(`/api/v1/conversations/${foreign.id}/messages`, body)).status).toBe(404);
    }
    expect(await db().select().from(messages).where(eq(messages.conversationId, foreign.id))).toEqual([]);
  });
});

describe("POST /messages/{id}/retry", () => {
  it("re-queues a failed message with a new job id each time; anything else is 409", async () => {
    const { agent, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);
    const failed = await createMessage(db(), {
      conversationId: conv.id,
      role: "AGENT",
      status: "failed",
      errorCode: "platform_error",
      errorMessage: "(#1200) Temporary send failure",
      attempts: 3,
    });

    const res = await agent.post(`/api/v1/messages/${failed.id}/retry`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: failed.id, status: "queued", error: null });
    const [row] = await db().select().from(messages).where(eq(messages.id, failed.id));
    expect(row!.attempts).toBe(3);
    expect(await jobsWithKey(`send:${failed.id}:retry:1`)).toEqual([
      expect.objectContaining({ name: "send-outbound-message", payload: { messageId: failed.id } }),
    ]);
    expect(eventsOf("message:updated", workspaceId).map((e) => e.payload.status)).toEqual(["queued"]);

    // Queued now: retrying again is a conflict.
    const again = await agent.post(`/api/v1/messages/${failed.id}/retry`);
    expect(again.status).toBe(409);
    expect((await again.json()).error.code).toBe("message_not_failed");

    // It fails again: the next retry gets the next job id.
    await db().update(messages).set({ status: "failed" }).where(eq(messages.id, failed.id));
    expect((await agent.post(`/api/v1/messages/${failed.id}/retry`)).status).toBe(200);
    expect(await jobsWithKey(`send:${failed.id}:retry:2`)).toHaveLength(1);

    const inbound = await createMessage(db(), { conversationId: conv.id });
    expect((await agent.post(`/api/v1/messages/${inbound.id}/retry`)).status).toBe(409);
  });

  it("is 404 for another workspace's message", async () => {
    const { agent } = await setup();
    const other = await createTestWorkspace(db());
    const foreign = await createMessage(db(), {
      conversationId: (await conversationIn(other.workspace.id)).id,
      role: "AGENT",
      status: "failed",
    });
    const res = await agent.post(`/api/v1/messages/${foreign.id}/retry`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("message_not_found");
    const [row] = await db().select().from(messages).where(eq(messages.id, foreign.id));
    expect(row!.status).toBe("failed");
  });
});

describe("access", () => {
  it("lets every role of the workspace work conversations; anonymous callers get 401", async () => {
    const { ws, workspaceId } = await setup();
    const conv = await conversationIn(workspaceId);
    for (const person of [ws.owner, ws.admin] as TestWorkspace["owner"][]) {
      const client = await signedIn(person.user.email);
      expect((await client.get(`/api/v1/conversations/${conv.id}`)).status).toBe(200);
      expect((await client.post(`/api/v1/conversations/${conv.id}/read`)).status).toBe(200);
    }
    expect((await new TestClient(app).get("/api/v1/conversations")).status).toBe(401);
  });

  it("documents every inbox route in the OpenAPI document", async () => {
    const doc = await (await app.request("/api/v1/openapi.json")).json();
    for (const path of [
      "/api/v1/conversations",
      "/api/v1/conversations/{id}",
      "/api/v1/conversations/{id}/messages",
      "/api/v1/conversations/{id}/read",
      "/api/v1/conversations/{id}/auto-bot",
      "/api/v1/messages/{id}/retry",
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    expect(doc.paths["/api/v1/conversations"].get["x-permission"]).toBe("conversations.work");
  });
});
