import { type chatbots, conversations, type Db, jobs, providerCredentials } from "@tandem/db";
import { createChatbot, createConversation, createMessage, createTestWorkspace } from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../../tests/support/runtime.ts";
import { type AppJobDeps, appJobDeps } from "../app-deps.ts";
import { DEMO_FAQ } from "../demo/seed-demo.ts";
import type { JobContext } from "../jobs/define-job.ts";
import { silentLogger } from "../logger.ts";
import type { Runtime } from "../runtime.ts";
import { generateBotReply } from "./generate-bot-reply.ts";
import { extractiveSummary } from "./memory.ts";
import { enqueueSummariesIfDue, enqueueSummaryIfDue, summarizeConversation } from "./summarize-conversation.ts";

let runtime: Runtime;
let db: Db;
let served: ServedSimulator;
let counter = 0;

beforeAll(async () => {
  served = await serveSimulator();
  runtime = await createTestRuntime();
  db = runtime.database.db;
  // Producer only: the tests run handlers themselves and read what they enqueue.
  attachTestQueue(runtime);
});
afterAll(async () => {
  await runtime.queue?.stop();
  await runtime.close();
  await served.close();
});
beforeEach(() => served.simulator.reset());

function ctxFor(def: { name: string; retry: { attempts: number } }, attempt = 1): JobContext<AppJobDeps> {
  return {
    ...appJobDeps(runtime),
    jobId: `job_summary_test_${++counter}`,
    jobKey: null,
    name: def.name,
    attempt,
    maxAttempts: def.retry.attempts,
    log: silentLogger,
    signal: new AbortController().signal,
  };
}

async function setup(chatbot: Partial<typeof chatbots.$inferInsert> = {}) {
  const ws = await createTestWorkspace(db);
  const bot = await createChatbot(db, {
    workspaceId: ws.workspace.id,
    isDefault: true,
    faqEntries: DEMO_FAQ,
    model: "offline-faq",
    ...chatbot,
  });
  const conversation = await createConversation(db, {
    workspaceId: ws.workspace.id,
    chatbotId: bot.id,
    lastInboundAt: new Date(),
  });
  return { ws, chatbot: bot, conversation };
}

/** Alternating customer and agent messages, one second apart, ending now. */
async function talk(conversationId: string, lines: string[], first = 0) {
  const start = Date.now() - lines.length * 1000;
  for (const [i, text] of lines.entries()) {
    const customer = (first + i) % 2 === 0;
    await createMessage(db, {
      conversationId,
      role: customer ? "USER" : "AGENT",
      status: customer ? "received" : "sent",
      text,
      createdAt: new Date(start + i * 1000),
    });
  }
}

async function summaryJobs(conversationId: string) {
  return db
    .select()
    .from(jobs)
    .where(like(jobs.jobKey, `summary:${conversationId}:%`));
}

async function conversationRow(id: string) {
  const [row] = await db.select().from(conversations).where(eq(conversations.id, id));
  return row!;
}

const TEN = [
  "Hi, I ordered shoes last week. Order 1234.",
  "Hello! Let me check that for you.",
  "They are too small. Can I swap them?",
  "Yes, you can exchange them within 30 days.",
  "Great. Do I pay for the return shipping?",
  "No, returns are free.",
  "How do I send them back?",
  "Use the label in the box.",
  "I lost the label!",
  "I will email you a new one.",
];

describe("summarize-conversation", () => {
  it("is enqueued once per bucket of `summarizeAfter` messages and writes an extractive summary for the offline provider", async () => {
    const { conversation } = await setup();
    await talk(conversation.id, TEN.slice(0, 9));
    await enqueueSummaryIfDue({ db, queue: runtime.queue! }, conversation.id);
    expect(await summaryJobs(conversation.id)).toEqual([]);

    await talk(conversation.id, TEN.slice(9), 9);
    await enqueueSummaryIfDue({ db, queue: runtime.queue! }, conversation.id);
    await enqueueSummaryIfDue({ db, queue: runtime.queue! }, conversation.id);
    const queued = await summaryJobs(conversation.id);
    expect(queued.map((j) => j.jobKey)).toEqual([`summary:${conversation.id}:1`]);

    await summarizeConversation.handle({ conversationId: conversation.id }, ctxFor(summarizeConversation));
    const row = await conversationRow(conversation.id);
    expect(row.summaryMessageCount).toBe(10);
    expect(row.summary).toBe(
      [
        "Customer: Hi, I ordered shoes last week.",
        "Agent: Hello!",
        "Customer: They are too small.",
        "Agent: Yes, you can exchange them within 30 days.",
        "Customer: Great.",
        "Agent: No, returns are free.",
        "Customer: How do I send them back?",
        "Agent: Use the label in the box.",
        "Customer: I lost the label!",
        "Agent: I will email you a new one.",
      ]
        .slice(-8)
        .join("\n"),
    );

    // Up to date: a second run changes nothing; nothing more is due.
    await summarizeConversation.handle({ conversationId: conversation.id }, ctxFor(summarizeConversation));
    expect((await conversationRow(conversation.id)).summary).toBe(row.summary);
    await enqueueSummaryIfDue({ db, queue: runtime.queue! }, conversation.id);
    expect(await summaryJobs(conversation.id)).toHaveLength(1);
  });

  it("checks many conversations in one go: each by its own chatbot's setting, the default one's when its own is gone, none without", async () => {
    const { ws, conversation: byDefault } = await setup();
    const strict = await createChatbot(db, { workspaceId: ws.workspace.id, memorySettings: { summarizeAfter: 4 } });
    const own = await createConversation(db, { workspaceId: ws.workspace.id, chatbotId: strict.id });
    const deleted = await createChatbot(db, { workspaceId: ws.workspace.id, deletedAt: new Date() });
    const orphan = await createConversation(db, { workspaceId: ws.workspace.id, chatbotId: deleted.id });
    const lonely = await createTestWorkspace(db);
    const unbotted = await createConversation(db, { workspaceId: lonely.workspace.id });
    for (const c of [byDefault, own, orphan, unbotted]) await talk(c.id, TEN.slice(0, 5));

    await enqueueSummariesIfDue({ db, queue: runtime.queue! }, [byDefault.id, own.id, orphan.id, unbotted.id]);
    // 5 messages: due every 4 for its own chatbot; the default's 10 for the others; no chatbot, no summary.
    expect((await summaryJobs(own.id)).map((j) => j.jobKey)).toEqual([`summary:${own.id}:1`]);
    for (const c of [byDefault, orphan, unbotted]) expect(await summaryJobs(c.id)).toEqual([]);
    await talk(orphan.id, TEN.slice(5), 5);
    await talk(unbotted.id, TEN.slice(5), 5);
    await enqueueSummariesIfDue({ db, queue: runtime.queue! }, [orphan.id, unbotted.id, orphan.id]);
    expect((await summaryJobs(orphan.id)).map((j) => j.jobKey)).toEqual([`summary:${orphan.id}:1`]);
    expect(await summaryJobs(unbotted.id)).toEqual([]);
  });

  it("writes an LLM summary through the chatbot's provider, and the next prompt carries it as {short_memory}", async () => {
    const { ws, chatbot, conversation } = await setup({
      providerKind: "OPENAI_COMPATIBLE",
      model: "llama3.1:8b",
      memorySettings: { summarizeAfter: 4 },
    });
    await db.insert(providerCredentials).values({
      workspaceId: ws.workspace.id,
      kind: "OPENAI_COMPATIBLE",
      apiKeyEncrypted: runtime.keyring.encrypt("sk-summary-0001"),
      baseUrl: `${served.url}/llm/openai/v1`,
    });
    await talk(conversation.id, TEN.slice(0, 4));
    served.simulator.llm.state.addReply({ reply: "Customer (order 1234) wants to swap shoes that are too small." });

    await summarizeConversation.handle({ conversationId: conversation.id }, ctxFor(summarizeConversation));
    const row = await conversationRow(conversation.id);
    expect(row).toMatchObject({
      summary: "Customer (order 1234) wants to swap shoes that are too small.",
      summaryMessageCount: 4,
    });
    const body = served.simulator.llm.state.calls[0]!.body as { messages: { role: string; content: string }[] };
    expect(body.messages.at(-1)!.content).toContain(
      "Current summary:\n(none)\n\nNew messages:\nCustomer: Hi, I ordered",
    );

    const question = await createMessage(db, {
      conversationId: conversation.id,
      text: "Do I pay for the return shipping?",
    });
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: question.id, mode: "auto" },
      ctxFor(generateBotReply),
    );
    const system = (served.simulator.llm.state.calls[1]!.body as { messages: { content: string }[] }).messages[0]!;
    expect(system.content).toContain(
      "Conversation summary: Customer (order 1234) wants to swap shoes that are too small.",
    );
    expect(chatbot.id).toBeTruthy();
  });

  it("falls back to the extractive summary when the provider keeps failing", async () => {
    const { ws, conversation } = await setup({
      providerKind: "OPENAI_COMPATIBLE",
      model: "llama3.1:8b",
      memorySettings: { summarizeAfter: 2 },
    });
    await db.insert(providerCredentials).values({
      workspaceId: ws.workspace.id,
      kind: "OPENAI_COMPATIBLE",
      apiKeyEncrypted: runtime.keyring.encrypt("sk-summary-0002"),
      baseUrl: `${served.url}/llm/openai/v1`,
    });
    await talk(conversation.id, TEN.slice(0, 2));
    served.simulator.llm.state.addFault({ kind: "invalid_key", times: 10 });
    await summarizeConversation.handle({ conversationId: conversation.id }, ctxFor(summarizeConversation));
    expect(await conversationRow(conversation.id)).toMatchObject({
      summary: "Customer: Hi, I ordered shoes last week.\nAgent: Hello!",
      summaryMessageCount: 2,
    });
  });

  it("a bot reply that crosses the threshold enqueues the summary", async () => {
    const { conversation } = await setup({ memorySettings: { summarizeAfter: 2 } });
    const question = await createMessage(db, { conversationId: conversation.id, text: "What is your return policy?" });
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: question.id, mode: "auto" },
      ctxFor(generateBotReply),
    );
    expect((await summaryJobs(conversation.id)).map((j) => j.jobKey)).toEqual([`summary:${conversation.id}:1`]);
  });
});

describe("extractiveSummary", () => {
  it("adds the first sentence of each customer and agent message, skips the bot, keeps the last 8 lines", () => {
    expect(
      extractiveSummary("Customer: earlier", [
        { role: "USER", text: "Where is my order? It is late." },
        { role: "BOT", text: "It ships in 2 days." },
        { role: "AGENT", text: "  " },
      ]),
    ).toBe("Customer: earlier\nCustomer: Where is my order?");
    const many = Array.from({ length: 12 }, (_, i) => ({ role: "USER", text: `Line ${i}` }));
    expect(extractiveSummary(null, many).split("\n")).toHaveLength(8);
  });
});
