/**
 * The public chat API (`/api/v1/public/chat/{chatbotId}/…`) end to end on PGlite, with the embedded job
 * queue running (send jobs deliver; the reply job is the delayed safety net): API keys, sessions,
 * limits, answers whole and streamed (the offline provider and the simulator's fake OpenAI over real
 * HTTP), handoff and agents' replies through the session routes, feedback, rate limits and the
 * widget's visitor token.
 */
import { type ProductCard, rooms, WIDGET_SOCKET } from "@tandem/contracts";
import {
  appJobDeps,
  DEMO_FAQ,
  generateBotReply,
  issueVisitorToken,
  type JobQueue,
  newWidgetSessionId,
  type Runtime,
  silentLogger,
} from "@tandem/core";
import { channels, chatbots, contacts, conversations, feedback, jobs, messages, providerCredentials } from "@tandem/db";
import { createChatbot } from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { attachTestQueue, createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let queue: JobQueue;
let served: ServedSimulator;
const events: { room: string; event: string; payload: unknown }[] = [];
const PUBLIC = "/api/v1/public/chat";
const SHOP = "https://shop.example.com";

beforeAll(async () => {
  served = await serveSimulator();
  runtime = await createTestRuntime();
  queue = attachTestQueue(runtime);
  await queue.start();
  runtime.realtime.bind({ emit: (room, event, payload) => events.push({ room, event, payload }) });
  // Every request of this file comes from one address: its limit is not what these tests are about.
  app = createApp(runtime, { public: { rateLimit: { limit: 100_000, windowMs: 60_000 } } });
});
afterAll(async () => {
  await queue.stop({ timeoutMs: 1_000 });
  await runtime.close();
  await served.close();
});
beforeEach(() => {
  served.simulator.llm.state.reset();
  events.length = 0;
});

const db = () => runtime.database.db;

/** A workspace with an active FAQ chatbot (offline provider) and its API key, issued by its ADMIN. */
async function setup(chatbot: Partial<typeof chatbots.$inferInsert> = {}) {
  const ws = await createSignInWorkspace(runtime);
  const bot = await createChatbot(db(), {
    workspaceId: ws.workspace.id,
    status: "active",
    providerKind: "OFFLINE",
    model: "offline-faq",
    faqEntries: DEMO_FAQ,
    widgetConfig: { allowedDomains: ["shop.example.com"] },
    ...chatbot,
  });
  const admin = new TestClient(app);
  expect((await admin.signIn(ws.admin.user.email, TEST_PASSWORD)).status).toBe(200);
  const key = await regenerate(admin, bot.id);
  return { ws, bot, admin, key };
}

async function regenerate(admin: TestClient, chatbotId: string): Promise<string> {
  const res = await admin.post(`/api/v1/chatbots/${chatbotId}/regenerate-token`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { apiKey: string }).apiKey;
}

/** A developer's server: no cookies, no Origin, the key in `X-API-Key`. */
function call(method: string, path: string, key: string | null, body?: unknown, headers: Record<string, string> = {}) {
  return app.request(`http://localhost:3000${PUBLIC}${path}`, {
    method,
    headers: {
      ...(key ? { "x-api-key": key } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function errorCode(res: Response) {
  return ((await res.json()) as { error: { code: string } }).error.code;
}

/** Reads a server-sent event stream until `until` says stop (or the stream ends), then cancels it. */
async function readSse(res: Response, until: (events: Sse[]) => boolean = () => false) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const parsed: Sse[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      let id: string | null = null;
      const data: string[] = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event: ")) event = line.slice(7);
        else if (line.startsWith("id: ")) id = line.slice(4);
        else if (line.startsWith("data: ")) data.push(line.slice(6));
      }
      if (data.length) parsed.push({ event, id, data: JSON.parse(data.join("\n")) });
      end = buffer.indexOf("\n\n");
    }
    if (done) break;
    if (until(parsed)) {
      await reader.cancel();
      break;
    }
  }
  return parsed;
}
type Sse = { event: string; id: string | null; data: unknown };

type Answer = {
  messageId: string;
  replyMessageId: string | null;
  conversationId: string;
  response: string;
  sources: { chunkId: string; kind: string }[];
  products: ProductCard[];
  usage: { promptTokens: number; completionTokens: number; totalTokens: number };
  handoff: { reason: string } | null;
};

const threadOf = (conversationId: string) =>
  db()
    .select()
    .from(messages)
    .where(eq(messages.conversationId, conversationId))
    .orderBy(asc(messages.createdAt), asc(messages.id));

describe("API keys and input", () => {
  it("refuses a missing, wrong, replaced or other chatbot's key, and a deleted chatbot's", async () => {
    const { bot, admin, key } = await setup();
    const other = await setup();
    const body = { sessionId: "s1", message: "What are your opening hours?" };
    const missing = await call("POST", `/${bot.id}/messages`, null, body);
    expect([missing.status, await errorCode(missing)]).toEqual([401, "unauthenticated"]);
    const wrong = await call("POST", `/${bot.id}/messages`, "ck_not-a-key", body);
    expect([wrong.status, await errorCode(wrong)]).toEqual([401, "invalid_api_key"]);
    const foreign = await call("POST", `/${bot.id}/messages`, other.key, body);
    expect([foreign.status, await errorCode(foreign)]).toEqual([401, "invalid_api_key"]);

    const fresh = await regenerate(admin, bot.id);
    const replaced = await call("POST", `/${bot.id}/messages`, key, body);
    expect([replaced.status, await errorCode(replaced)]).toEqual([401, "invalid_api_key"]);
    expect((await call("POST", `/${bot.id}/messages`, fresh, body)).status).toBe(200);

    expect((await admin.delete(`/api/v1/chatbots/${bot.id}`)).status).toBeLessThan(300);
    const deleted = await call("POST", `/${bot.id}/messages`, fresh, body);
    expect([deleted.status, await errorCode(deleted)]).toEqual([401, "invalid_api_key"]);
    // Nothing was stored for the refused calls: one customer message, one answer.
    const stored = await db().select().from(messages).where(eq(messages.role, "USER"));
    expect(
      stored.filter((m) => m.platformMessageId?.startsWith("s1:") && m.workspaceId === bot.workspaceId),
    ).toHaveLength(1);
  });

  it("validates the session id and the message, and changes nothing when it refuses", async () => {
    const { bot, key } = await setup();
    const post = (body: unknown) => call("POST", `/${bot.id}/messages`, key, body);
    for (const body of [
      { message: "Hi" },
      { sessionId: "", message: "Hi" },
      { sessionId: "has space", message: "Hi" },
      { sessionId: "x".repeat(129), message: "Hi" },
      { sessionId: "s1", message: "   " },
      { sessionId: "s1", message: "a".repeat(4_001) },
      { sessionId: "s1", message: "Hi", unknown: true },
    ]) {
      const res = await post(body);
      expect([res.status, await errorCode(res)]).toEqual([400, "invalid_input"]);
    }
    const bad = await call("GET", `/${bot.id}/sessions/bad%20id/messages`, key);
    expect(bad.status).toBe(400);
    expect(await db().select().from(conversations).where(eq(conversations.chatbotId, bot.id))).toEqual([]);

    // The limits themselves are allowed.
    const longest = await post({ sessionId: "x".repeat(128), message: "a".repeat(4_000) });
    expect(longest.status).toBe(200);
  });

  it("answers only for an active chatbot: 409 chatbot_testing / chatbot_inactive for an API key", async () => {
    const testing = await setup({ status: "testing" });
    const res = await call("POST", `/${testing.bot.id}/messages`, testing.key, { sessionId: "s", message: "Hi" });
    expect([res.status, await errorCode(res)]).toEqual([409, "chatbot_testing"]);
    const inactive = await setup({ status: "inactive" });
    const off = await call("POST", `/${inactive.bot.id}/messages`, inactive.key, { sessionId: "s", message: "Hi" });
    expect([off.status, await errorCode(off)]).toEqual([409, "chatbot_inactive"]);
  });

  it("limits each key (429 with Retry-After)", async () => {
    const limited = createApp(runtime, {
      public: { rateLimit: { limit: 100_000, windowMs: 60_000 } },
      publicChat: { keyRateLimit: { limit: 2, windowMs: 60_000 } },
    });
    const { bot, key } = await setup();
    const get = () =>
      limited.request(`http://localhost:3000${PUBLIC}/${bot.id}/sessions/s1/messages`, {
        headers: { "x-api-key": key },
      });
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    const third = await get();
    expect(third.status).toBe(429);
    expect(Number(third.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await errorCode(third)).toBe("rate_limited");
  });
});

describe("answers", () => {
  it("answers whole, from the FAQ, stored as the bot's message with its sources; a retried send answers the same", async () => {
    const { bot, key } = await setup();
    const send = {
      sessionId: "cust-42",
      message: "What are your opening hours?",
      clientMessageId: "c1",
      metadata: { name: "Ann", email: "ann@example.com", plan: "pro" },
    };
    const res = await call("POST", `/${bot.id}/messages`, key, send);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Answer;
    expect(answer).toMatchObject({
      messageId: expect.stringMatching(/^msg_/),
      replyMessageId: expect.stringMatching(/^msg_/),
      conversationId: expect.stringMatching(/^conv_/),
      response: DEMO_FAQ[0]!.answer,
      handoff: null,
    });
    expect(answer.sources.map((s) => s.chunkId)).toEqual(["faq:0"]);

    // The conversation is the inbox's: on the chatbot's api channel, the customer a contact of it.
    const thread = await threadOf(answer.conversationId);
    expect(thread.map((m) => [m.role, m.text])).toEqual([
      ["USER", send.message],
      ["BOT", DEMO_FAQ[0]!.answer],
    ]);
    expect(thread[0]!.metadata.client).toEqual(send.metadata);
    expect(thread[1]).toMatchObject({ provider: "OFFLINE", replyToId: answer.messageId, status: "sent" });
    expect(thread[1]!.retrievedSources?.map((s) => s.chunkId)).toEqual(["faq:0"]);
    const [contact] = await db().select().from(contacts).where(eq(contacts.platformUserId, "cust-42"));
    expect(contact).toMatchObject({ name: "Ann", email: "ann@example.com" });

    const again = (await (await call("POST", `/${bot.id}/messages`, key, send)).json()) as Answer;
    expect(again).toEqual(answer);
    expect(await threadOf(answer.conversationId)).toHaveLength(2);

    // The reply job, enqueued as the safety net, finds the answer stored and writes nothing more.
    const [job] = await db()
      .select()
      .from(jobs)
      .where(eq(jobs.jobKey, `bot-reply:${answer.messageId}`));
    expect(job).toMatchObject({ name: "generate-bot-reply" });
    await runSafetyNet(job!.id, answer);
    expect(await threadOf(answer.conversationId)).toHaveLength(2);
  });

  it("returns the products a reply recommends beside its text: in the JSON answer, the stream and the session's messages", async () => {
    const { bot, key } = await setup();
    const send = { sessionId: "cust-cards", message: "What are your opening hours?", clientMessageId: "cards-1" };
    const first = (await (await call("POST", `/${bot.id}/messages`, key, send)).json()) as Answer;
    expect(first.products).toEqual([]);

    // What the sales bot stores on its reply when it recommends products (test data: the row as written).
    const cards: ProductCard[] = [
      {
        productId: "gid://shopify/Product/1",
        title: "Linen shirt",
        priceText: "฿1,290.00",
        price: "1290.00",
        currency: "THB",
        available: true,
        imageUrl: "https://cdn.shopify.test/linen.jpg",
        url: "https://shop.test/products/linen-shirt",
        variantTitle: "M / Natural",
      },
      {
        productId: "gid://shopify/Product/2",
        title: "Cotton shirt",
        priceText: "฿990.00",
        price: "990.00",
        currency: "THB",
        available: false,
        imageUrl: null,
        url: null,
        variantTitle: null,
      },
    ];
    await db().update(messages).set({ productCards: cards }).where(eq(messages.id, first.replyMessageId!));

    // The same send again answers the stored reply, now with its products.
    const whole = (await (await call("POST", `/${bot.id}/messages`, key, send)).json()) as Answer;
    expect(whole).toEqual({ ...first, products: cards });

    const streamed = await readSse(
      await call("POST", `/${bot.id}/messages`, key, send, { accept: "text/event-stream" }),
    );
    expect(streamed.map((e) => e.event)).toEqual(["message.sources", "message.products", "message.completed"]);
    expect(streamed[1]!.data).toEqual({ products: cards });
    expect((streamed[2]!.data as Answer).products).toEqual(cards);

    const listed = (await (await call("GET", `/${bot.id}/sessions/cust-cards/messages`, key)).json()) as {
      messages: { role: string; products: ProductCard[] }[];
    };
    expect(listed.messages.map((m) => [m.role, m.products])).toEqual([
      ["USER", []],
      ["BOT", cards],
    ]);
  });

  it("streams the answer as server-sent events with the fake OpenAI, and stores it as the job would", async () => {
    const { ws, bot, key } = await setup();
    const credential = await simulatedCredential(ws.workspace.id);
    await db()
      .update(chatbots)
      .set({ providerKind: "OPENAI_COMPATIBLE", credentialId: credential.id, model: "llama3.1:8b" })
      .where(eq(chatbots.id, bot.id));
    const reply = "Orders ship within one business day, and delivery takes two to four days in Thailand.";
    served.simulator.llm.state.addReply({ reply });
    const res = await call(
      "POST",
      `/${bot.id}/messages`,
      key,
      { sessionId: "stream-1", message: "How long does shipping take?" },
      { accept: "text/event-stream" },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("x-accel-buffering")).toBe("no");
    const stream = await readSse(res);
    const deltas = stream.filter((e) => e.event === "message.delta");
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((e) => (e.data as { text: string }).text).join("")).toBe(reply);
    expect(stream.slice(deltas.length).map((e) => e.event)).toEqual(["message.sources", "message.completed"]);
    const completed = stream.at(-1)!.data as Answer;
    expect(completed).toMatchObject({ response: reply, handoff: null });
    expect(completed.usage.completionTokens).toBeGreaterThan(0);
    expect(completed.usage.totalTokens).toBe(completed.usage.promptTokens + completed.usage.completionTokens);
    expect((served.simulator.llm.state.calls[0]!.body as { stream: boolean }).stream).toBe(true);
    const [stored] = await db().select().from(messages).where(eq(messages.id, completed.replyMessageId!));
    expect(stored).toMatchObject({ role: "BOT", text: reply, provider: "OPENAI_COMPATIBLE", model: "llama3.1:8b" });
    expect(stored!.usage?.outputTokens).toBe(completed.usage.completionTokens);
  });

  it("a client that leaves mid-stream loses nothing: the answer is stored all the same, and listed", async () => {
    const { ws, bot, key } = await setup();
    const credential = await simulatedCredential(ws.workspace.id);
    await db()
      .update(chatbots)
      .set({ providerKind: "OPENAI_COMPATIBLE", credentialId: credential.id, model: "llama3.1:8b" })
      .where(eq(chatbots.id, bot.id));
    const reply = "We ship to Japan, Korea and Singapore; delivery takes five to seven business days.";
    served.simulator.llm.state.addReply({ reply });
    const res = await call(
      "POST",
      `/${bot.id}/messages`,
      key,
      { sessionId: "gone", message: "Do you ship to Japan?" },
      { accept: "text/event-stream" },
    );
    const seen = await readSse(res, (events) => events.some((e) => e.event === "message.delta"));
    expect(seen.map((e) => e.event)).toEqual(["message.delta"]);
    await expect
      .poll(async () => {
        const list = (await (await call("GET", `/${bot.id}/sessions/gone/messages`, key)).json()) as {
          messages: { role: string; text: string }[];
        };
        return list.messages.map((m) => [m.role, m.text]);
      })
      .toEqual([
        ["USER", "Do you ship to Japan?"],
        ["BOT", reply],
      ]);
  });

  it("a provider outage answers 503 answer_delayed; the reply job answers later, read with the session's messages", async () => {
    const { ws, bot, key } = await setup();
    const credential = await simulatedCredential(ws.workspace.id);
    await db()
      .update(chatbots)
      .set({ providerKind: "OPENAI_COMPATIBLE", credentialId: credential.id, model: "llama3.1:8b" })
      .where(eq(chatbots.id, bot.id));
    served.simulator.llm.state.addFault({ kind: "server_error", times: 3 });
    const res = await call("POST", `/${bot.id}/messages`, key, { sessionId: "late", message: "Do you ship abroad?" });
    expect([res.status, await errorCode(res)]).toEqual([503, "answer_delayed"]);
    type Listed = { conversationId: string; messages: { id: string; role: string; text: string }[] };
    const list = (await (await call("GET", `/${bot.id}/sessions/late/messages`, key)).json()) as Listed;
    expect(list.messages.map((m) => m.role)).toEqual(["USER"]);

    served.simulator.llm.state.addReply({ reply: "Yes, to most countries in Asia." });
    const [job] = await db()
      .select()
      .from(jobs)
      .where(eq(jobs.jobKey, `bot-reply:${list.messages[0]!.id}`));
    await runSafetyNet(job!.id, { conversationId: list.conversationId, messageId: list.messages[0]!.id });
    const after = (await (await call("GET", `/${bot.id}/sessions/late/messages`, key)).json()) as Listed;
    expect(after.messages.map((m) => [m.role, m.text])).toEqual([
      ["USER", "Do you ship abroad?"],
      ["BOT", "Yes, to most countries in Asia."],
    ]);
  });
});

describe("a person takes over", () => {
  it("handoff → the bot stays silent → an agent's reply arrives through the session's messages and events", async () => {
    const { ws, bot, key } = await setup();
    const first = (await (
      await call("POST", `/${bot.id}/messages`, key, { sessionId: "h1", message: "What are your opening hours?" })
    ).json()) as Answer;

    const handoff = await call("POST", `/${bot.id}/sessions/h1/handoff`, key, { reason: "billing question" });
    expect(handoff.status).toBe(200);
    const handed = (await handoff.json()) as {
      conversationId: string;
      reason: string;
      message: { role: string; text: string };
    };
    expect(handed).toMatchObject({ conversationId: first.conversationId, reason: "human_requested" });
    expect(handed.message).toMatchObject({ role: "BOT", text: expect.any(String) });
    const [conversation] = await db().select().from(conversations).where(eq(conversations.id, first.conversationId));
    expect(conversation).toMatchObject({ autoBot: false, needsHuman: true, handoffReason: "human_requested" });

    // The bot is silent now, and says why.
    const silent = (await (
      await call("POST", `/${bot.id}/messages`, key, { sessionId: "h1", message: "Hello? Anyone?" })
    ).json()) as Answer;
    expect(silent).toMatchObject({ response: "", replyMessageId: null, handoff: { reason: "human_requested" } });
    const events = await call("GET", `/${bot.id}/sessions/h1/events`, key);
    expect(events.headers.get("content-type")).toMatch(/^text\/event-stream/);

    // An agent answers from the inbox.
    const agent = new TestClient(app);
    expect((await agent.signIn(ws.agent.user.email, TEST_PASSWORD)).status).toBe(200);
    const sent = await agent.post(`/api/v1/conversations/${first.conversationId}/messages`, {
      text: "Hi, Somchai here.",
    });
    expect(sent.status).toBe(201);
    const agentMessageId = ((await sent.json()) as { id: string }).id;

    const live = await readSse(events, (seen) => seen.some((e) => e.id === agentMessageId));
    expect(live.map((e) => e.event)).toEqual(["message"]);
    expect(live[0]!.data).toMatchObject({
      id: agentMessageId,
      role: "AGENT",
      text: "Hi, Somchai here.",
      author: { name: expect.any(String) },
    });

    const list = (await (
      await call("GET", `/${bot.id}/sessions/h1/messages?after=${silent.messageId}`, key)
    ).json()) as {
      humanActive: boolean;
      messages: { id: string; role: string; author: { name: string } | null }[];
    };
    expect(list.humanActive).toBe(true);
    expect(list.messages.map((m) => [m.id, m.role])).toEqual([[agentMessageId, "AGENT"]]);
    // The whole session as the customer sees it: no SYSTEM notes.
    const all = (await (await call("GET", `/${bot.id}/sessions/h1/messages`, key)).json()) as typeof list;
    expect(all.messages.map((m) => m.role)).toEqual(["USER", "BOT", "BOT", "USER", "AGENT"]);
    const thread = await threadOf(first.conversationId);
    expect(thread.some((m) => m.role === "SYSTEM")).toBe(true);

    // Reconnecting with Last-Event-ID replays what came after it.
    const replay = await readSse(
      await call("GET", `/${bot.id}/sessions/h1/events`, key, undefined, { "last-event-id": silent.messageId }),
      (seen) => seen.length >= 1,
    );
    expect(replay.map((e) => e.id)).toEqual([agentMessageId]);
    const unknown = await call("GET", `/${bot.id}/sessions/h1/events?after=msg_nope`, key);
    expect([unknown.status, await errorCode(unknown)]).toEqual([400, "invalid_cursor"]);
  });
});

describe("feedback", () => {
  it("rates the session's bot answers (an update when rated again), refuses other messages and sessions", async () => {
    const { bot, key } = await setup();
    const answer = (await (
      await call("POST", `/${bot.id}/messages`, key, { sessionId: "f1", message: "What are your opening hours?" })
    ).json()) as Answer;
    const rate = (messageId: string, body: unknown) =>
      call("POST", `/${bot.id}/messages/${messageId}/feedback`, key, body);
    const ok = await rate(answer.replyMessageId!, { sessionId: "f1", rating: "not_helpful", text: "Too vague" });
    expect(ok.status).toBe(200);
    expect((await rate(answer.replyMessageId!, { sessionId: "f1", rating: "helpful" })).status).toBe(200);
    const rows = await db().select().from(feedback).where(eq(feedback.messageId, answer.replyMessageId!));
    expect(rows).toEqual([
      expect.objectContaining({
        identifier: "api:f1",
        rating: "helpful",
        comment: null,
        conversationId: answer.conversationId,
      }),
    ]);
    const list = (await (await call("GET", `/${bot.id}/sessions/f1/messages`, key)).json()) as {
      messages: { id: string; feedback: string | null }[];
    };
    expect(list.messages.find((m) => m.id === answer.replyMessageId)?.feedback).toBe("helpful");

    const own = await rate(answer.messageId, { sessionId: "f1", rating: "helpful" });
    expect([own.status, await errorCode(own)]).toEqual([409, "feedback_not_allowed"]);
    const otherSession = await rate(answer.replyMessageId!, { sessionId: "f2", rating: "helpful" });
    expect([otherSession.status, await errorCode(otherSession)]).toEqual([404, "message_not_found"]);
    const noSession = await rate(answer.replyMessageId!, { rating: "helpful" });
    expect(noSession.status).toBe(400);
    expect(await db().select().from(feedback).where(eq(feedback.messageId, answer.messageId))).toEqual([]);
  });
});

describe("the widget's visitor token", () => {
  it("answers a visitor on an allowed site on the web channel, published to the session's room; refuses another origin or session", async () => {
    const { bot } = await setup();
    const sessionId = newWidgetSessionId();
    const { token } = issueVisitorToken(runtime.authSecret, { chatbotId: bot.id, sessionId, origin: SHOP });
    const visitor = (method: string, path: string, body?: unknown, origin = SHOP) =>
      call(method, path, null, body, { "x-visitor-token": token, origin });

    const res = await visitor("POST", `/${bot.id}/messages`, { message: "What are your opening hours?" });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as Answer;
    expect(answer.response).toBe(DEMO_FAQ[0]!.answer);
    const [conversation] = await db().select().from(conversations).where(eq(conversations.id, answer.conversationId));
    const [channel] = await db().select().from(channels).where(eq(channels.id, conversation!.channelId!));
    expect(channel).toMatchObject({ type: "web", externalId: bot.id, chatbotId: bot.id });
    // Both the visitor's message and the bot's answer reached the session's live room.
    await expect
      .poll(() => widgetEvents(bot.id, sessionId).map((p) => p.id))
      .toEqual([answer.messageId, answer.replyMessageId]);

    const wrongOrigin = await visitor("POST", `/${bot.id}/messages`, { message: "Hi" }, "https://evil.example.net");
    expect([wrongOrigin.status, await errorCode(wrongOrigin)]).toEqual([403, "origin_not_allowed"]);
    const otherBody = await visitor("POST", `/${bot.id}/messages`, { sessionId: newWidgetSessionId(), message: "Hi" });
    expect([otherBody.status, await errorCode(otherBody)]).toEqual([403, "forbidden"]);
    const otherUrl = await visitor("GET", `/${bot.id}/sessions/${newWidgetSessionId()}/messages`);
    expect([otherUrl.status, await errorCode(otherUrl)]).toEqual([404, "session_not_found"]);
    const own = (await (await visitor("GET", `/${bot.id}/sessions/${sessionId}/messages`)).json()) as {
      messages: unknown[];
    };
    expect(own.messages).toHaveLength(2);
    const rated = await visitor("POST", `/${bot.id}/messages/${answer.replyMessageId}/feedback`, { rating: "helpful" });
    expect(rated.status).toBe(200);
    const [row] = await db().select().from(feedback).where(eq(feedback.messageId, answer.replyMessageId!));
    expect(row?.identifier).toBe(`visitor:${sessionId}`);

    // "Talk to a person" before a new visitor's first message, without a body: the conversation opens for it.
    const newcomer = newWidgetSessionId();
    const { token: newcomerToken } = issueVisitorToken(runtime.authSecret, {
      chatbotId: bot.id,
      sessionId: newcomer,
      origin: SHOP,
    });
    const handoff = await call("POST", `/${bot.id}/sessions/${newcomer}/handoff`, null, undefined, {
      "x-visitor-token": newcomerToken,
      origin: SHOP,
    });
    expect(handoff.status).toBe(200);
    const handed = (await handoff.json()) as { conversationId: string; reason: string; message: { id: string } | null };
    expect(handed.reason).toBe("human_requested");
    const [opened] = await db().select().from(conversations).where(eq(conversations.id, handed.conversationId));
    expect(opened).toMatchObject({ autoBot: false, needsHuman: true });
    // What the visitor is told reaches their live room through the send job.
    await expect.poll(() => widgetEvents(bot.id, newcomer).map((p) => p.id)).toEqual([handed.message!.id]);
  });

  it("a testing chatbot answers only the dashboard's own preview; verified identity is required when set", async () => {
    const { bot } = await setup({ status: "testing" });
    const tokenFor = (origin: string) =>
      issueVisitorToken(runtime.authSecret, { chatbotId: bot.id, sessionId: newWidgetSessionId(), origin }).token;
    const onShop = await call(
      "POST",
      `/${bot.id}/messages`,
      null,
      { message: "Hi" },
      { "x-visitor-token": tokenFor(SHOP), origin: SHOP },
    );
    expect([onShop.status, await errorCode(onShop)]).toEqual([403, "origin_not_allowed"]);
    const preview = "http://localhost:3000";
    const res = await call(
      "POST",
      `/${bot.id}/messages`,
      null,
      { message: "What are your opening hours?" },
      { "x-visitor-token": tokenFor(preview), origin: preview },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as Answer).response).toBe(DEMO_FAQ[0]!.answer);

    await db()
      .update(chatbots)
      .set({ status: "active", widgetConfig: { allowedDomains: ["shop.example.com"], requireVerifiedIdentity: true } })
      .where(eq(chatbots.id, bot.id));
    const unverified = await call(
      "POST",
      `/${bot.id}/messages`,
      null,
      { message: "Hi" },
      { "x-visitor-token": tokenFor(SHOP), origin: SHOP },
    );
    expect([unverified.status, await errorCode(unverified)]).toEqual([403, "identity_required"]);
  });
});

describe("OpenAPI", () => {
  it("documents the public chat routes with their credentials", async () => {
    const doc = (await (await app.request("http://localhost:3000/api/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; description?: string }>>;
    };
    for (const [path, method] of [
      ["/api/v1/public/chat/{chatbotId}/messages", "post"],
      ["/api/v1/public/chat/{chatbotId}/sessions/{sessionId}/messages", "get"],
      ["/api/v1/public/chat/{chatbotId}/sessions/{sessionId}/events", "get"],
      ["/api/v1/public/chat/{chatbotId}/messages/{messageId}/feedback", "post"],
      ["/api/v1/public/chat/{chatbotId}/sessions/{sessionId}/handoff", "post"],
    ] as const) {
      const route = doc.paths[path]?.[method];
      expect(route?.security, `${method} ${path}`).toEqual([{ apiKey: [] }, { visitorToken: [] }]);
      expect(route?.description).toBeTruthy();
    }
  });
});

const widgetEvents = (chatbotId: string, sessionId: string) =>
  events
    .filter((e) => e.room === rooms.widgetSession(chatbotId, sessionId) && e.event === WIDGET_SOCKET.events.message)
    .map((e) => e.payload as { id: string });

/** Runs the delayed reply job now, as the queue would when its delay is over. */
async function runSafetyNet(jobId: string, answer: Pick<Answer, "conversationId" | "messageId">) {
  await generateBotReply.handle(
    { conversationId: answer.conversationId, triggerMessageId: answer.messageId, mode: "auto" },
    {
      ...appJobDeps(runtime),
      jobId,
      jobKey: `bot-reply:${answer.messageId}`,
      name: generateBotReply.name,
      attempt: 1,
      maxAttempts: generateBotReply.retry.attempts,
      log: silentLogger,
      signal: new AbortController().signal,
    },
  );
}

/** A credential pointing at the simulator's fake OpenAI (OPENAI_COMPATIBLE). */
async function simulatedCredential(workspaceId: string) {
  const [row] = await db()
    .insert(providerCredentials)
    .values({
      workspaceId,
      kind: "OPENAI_COMPATIBLE",
      apiKeyEncrypted: runtime.keyring.encrypt("sk-public-test-0001"),
      keyHint: "••••0001",
      baseUrl: `${served.url}/llm/openai/v1`,
      defaultModel: "llama3.1:8b",
    })
    .returning();
  return row!;
}
