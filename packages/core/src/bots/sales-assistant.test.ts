/**
 * The sales assistant end to end on PGlite: the demo store's rows and product documents (written by
 * `seedDemoShopifyStore`, as a finished sync leaves them), the reply job with the offline provider
 * (price and stock of the asked variant, out of stock with alternatives, product cards on the BOT
 * message), the prompt variables read fresh for each reply, and the Page metadata refreshed from
 * the Graph simulator over real HTTP when the Page's `changes` webhook arrives.
 */
import { serve } from "@hono/node-server";
import { SALES_ASSISTANT_PRESET } from "@tandem/contracts";
import { channels, type Db, inboundEvents, jobs, messages, products } from "@tandem/db";
import {
  createChannel,
  createChatbot,
  createConversation,
  createMessage,
  createTestWorkspace,
} from "@tandem/db/testing";
import { createSimulator, signMessengerBody } from "@tandem/simulator";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../../tests/support/runtime.ts";
import { type AppJobDeps, appJobDeps } from "../app-deps.ts";
import { messengerInbound } from "../channels/messenger/adapter.ts";
import { sealPageToken } from "../channels/messenger/page-token.ts";
import { receiveMessengerWebhook } from "../channels/messenger/receive-webhook.ts";
import { refreshPageMetadata } from "../channels/messenger/refresh-page-metadata.ts";
import { DEMO_SHOPIFY_STORE, seedDemoShopifyStore } from "../demo/seed-demo-shopify-store.ts";
import { processInboundEvent } from "../inbound/process-inbound-event.ts";
import type { JobContext } from "../jobs/define-job.ts";
import type { JobQueue } from "../jobs/queue.ts";
import { silentLogger } from "../logger.ts";
import { providerDeps } from "../providers/provider-deps.ts";
import type { Runtime } from "../runtime.ts";
import { prepareReply } from "./compose-reply.ts";
import { generateBotReply } from "./generate-bot-reply.ts";
import { PRODUCTS_SECTION_HEADING } from "./prompt.ts";

const simulator = createSimulator();
let server: ReturnType<typeof serve>;
let runtime: Runtime;
let db: Db;
let queue: JobQueue;
let jobCounter = 0;

beforeAll(async () => {
  runtime = await createTestRuntime();
  db = runtime.database.db;
  queue = attachTestQueue(runtime);
  const port = await new Promise<number>((resolve) => {
    server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
  });
  runtime.config.facebook.graphApiUrl = `http://127.0.0.1:${port}/graph`;
});
afterAll(async () => {
  await queue.stop();
  await new Promise((resolve) => server.close(resolve));
  await runtime.close();
});

function jobContext(name: string): JobContext<AppJobDeps> {
  return {
    ...appJobDeps(runtime),
    jobId: `job_sales_${++jobCounter}`,
    jobKey: null,
    name,
    attempt: 1,
    maxAttempts: 3,
    log: silentLogger,
    signal: new AbortController().signal,
  };
}

/** A workspace with the demo store, an offline chatbot and a conversation on `channel` (Messenger by default). */
async function setup(
  options: {
    store?: boolean;
    systemPrompt?: string;
    channel?: Partial<typeof channels.$inferInsert>;
    knowledgeFilters?: { types?: ("document" | "faq" | "shopify" | "url" | "text")[] };
  } = {},
) {
  const ws = await createTestWorkspace(db);
  const workspaceId = ws.workspace.id;
  if (options.store !== false) await seedDemoShopifyStore(db, { workspaceId, keyring: runtime.keyring });
  const chatbot = await createChatbot(db, {
    workspaceId,
    isDefault: true,
    providerKind: "OFFLINE",
    model: "offline-faq",
    systemPrompt: options.systemPrompt ?? "",
    knowledgeFilters: options.knowledgeFilters ?? {},
    faqEntries: [{ question: "Which payment methods do you accept?", answer: "Visa, Mastercard and PromptPay." }],
  });
  const channel = await createChannel(db, { workspaceId, chatbotId: chatbot.id, ...options.channel });
  const conversation = await createConversation(db, {
    workspaceId,
    channelId: channel.id,
    chatbotId: chatbot.id,
    lastInboundAt: new Date(),
  });
  return { ws, chatbot, channel, conversation };
}

async function ask(conversationId: string, text: string) {
  const trigger = await createMessage(db, { conversationId, role: "USER", status: "received", text });
  await generateBotReply.handle(
    { conversationId, triggerMessageId: trigger.id, mode: "auto" },
    jobContext(generateBotReply.name),
  );
  const [reply] = await db
    .select()
    .from(messages)
    .where(
      and(eq(messages.conversationId, conversationId), eq(messages.role, "BOT"), eq(messages.replyToId, trigger.id)),
    )
    .orderBy(asc(messages.createdAt));
  return reply!;
}

/** The prompt a reply would send for `question`, without calling the provider. */
async function promptFor(setupResult: Awaited<ReturnType<typeof setup>>, question: string) {
  await createMessage(db, { conversationId: setupResult.conversation.id, role: "USER", text: question });
  return prepareReply(
    { db, ...providerDeps(runtime) },
    { conversation: { id: setupResult.conversation.id, summary: null }, chatbot: setupResult.chatbot },
  );
}

describe("the sales assistant's replies (offline provider)", () => {
  it("answers 'Do you have the linen shirt in M?' with the variant's price and stock, and a card", async () => {
    const { conversation } = await setup();
    const reply = await ask(conversation.id, "Do you have the linen shirt in M?");
    expect(reply.text).toBe(
      `Yes, the Linen Shirt in M is in stock at ฿1,290.00. ${DEMO_SHOPIFY_STORE.primaryDomainUrl}/products/linen-shirt`,
    );
    expect(reply.status).toBe("queued");
    expect(reply.productCards).toEqual([
      {
        productId: expect.any(String),
        title: "Linen Shirt",
        priceText: "฿1,290.00",
        price: "1290.00",
        currency: "THB",
        available: true,
        imageUrl: null,
        url: `${DEMO_SHOPIFY_STORE.primaryDomainUrl}/products/linen-shirt`,
        variantTitle: "M",
      },
    ]);
  });

  it("says an out-of-stock variant is out of stock and offers available alternatives, each with a card", async () => {
    const { conversation } = await setup();
    const reply = await ask(conversation.id, "Do you have the linen shirt in L?");
    expect(reply.text).toMatch(/^Sorry, the Linen Shirt in L is out of stock right now\. It is in stock in S, M\./);
    expect(reply.text).toContain("You might like the ");
    const cards = reply.productCards ?? [];
    expect(cards[0]).toMatchObject({ title: "Linen Shirt", variantTitle: "L", available: false });
    // The alternative: available, of the same type (Shirts) — the Straw Hat shares "summer" but is sold out.
    expect(reply.text).toContain("You might like the Oxford Shirt (฿1,490.00) instead.");
    expect(cards.map((c) => [c.title, c.available])).toEqual([
      ["Linen Shirt", false],
      ["Oxford Shirt", true],
    ]);
  });

  it("a product update changes the next answer: prices come from the current row", async () => {
    const { conversation, ws } = await setup();
    const [row] = await db
      .select()
      .from(products)
      .where(and(eq(products.workspaceId, ws.workspace.id), eq(products.handle, "linen-shirt")));
    await db
      .update(products)
      .set({
        variants: row!.variants.map((v) => (v.title === "M" ? { ...v, price: "990.00", available: false } : v)),
        priceMin: "990.00",
      })
      .where(eq(products.id, row!.id));
    const reply = await ask(conversation.id, "Do you have the linen shirt in M?");
    expect(reply.text).toMatch(/^Sorry, the Linen Shirt in M is out of stock right now\. It is in stock in S\./);
    expect(reply.productCards?.[0]).toMatchObject({ priceText: "฿990.00", available: false, variantTitle: "M" });
  });

  it("a question about no product is answered as before, without cards", async () => {
    const { conversation } = await setup();
    const reply = await ask(conversation.id, "Which payment methods do you accept?");
    expect(reply.text).toBe("Visa, Mastercard and PromptPay.");
    expect(reply.productCards).toBeNull();
  });
});

describe("the prompt variables", () => {
  it("{products} holds the current rows of the products the question is about, not the catalog", async () => {
    const s = await setup({ systemPrompt: SALES_ASSISTANT_PRESET.text });
    const prepared = await promptFor(s, "Do you have the linen shirt in M?");
    const prompt = prepared.request.systemPrompt!;
    expect(prompt).toContain(
      `Store: ${DEMO_SHOPIFY_STORE.name}\nWebsite: ${DEMO_SHOPIFY_STORE.primaryDomainUrl}\nCurrency: THB`,
    );
    expect(prompt).toContain("1. Linen Shirt — type: Shirts");
    expect(prompt).toContain("M: ฿1,290.00, in stock (7)");
    expect(prompt).toContain("L: ฿1,290.00, OUT OF STOCK");
    // Never the whole catalog: the tote and the hat have nothing to do with the question.
    expect(prompt).not.toContain("Canvas Tote");
    expect(prompt).not.toContain("Straw Hat");
    // The product's passage is not repeated in {knowledge}: the row replaces it.
    expect(prepared.prompt.knowledge.some((k) => k.title === "Linen Shirt")).toBe(false);

    await db
      .update(products)
      .set({ variants: [], priceMin: "1450.00", priceMax: "1450.00" })
      .where(and(eq(products.workspaceId, s.ws.workspace.id), eq(products.handle, "linen-shirt")));
    const again = await promptFor(s, "How much is the linen shirt?");
    expect(again.request.systemPrompt).toContain("฿1,450.00");
    expect(again.request.systemPrompt).not.toContain("฿1,290.00, in stock (7)");
  });

  it("{facebook_metadata} is the Page's on Messenger and empty elsewhere; no store leaves the store variables empty", async () => {
    const template = "[{shopify_metadata}] [{products}] [{facebook_metadata}]";
    const messenger = await setup({
      systemPrompt: template,
      channel: {
        config: {
          pageMetadata: {
            name: "Linen Lovers",
            about: "Shirts from Chiang Mai",
            category: "Clothing store",
            description: null,
          },
        },
      },
    });
    const onMessenger = (await promptFor(messenger, "linen shirt?")).request.systemPrompt!;
    expect(onMessenger).toContain(
      "[Facebook Page: Linen Lovers\nCategory: Clothing store\nAbout: Shirts from Chiang Mai]",
    );

    const web = await setup({ systemPrompt: template, channel: { type: "web", externalId: null, config: {} } });
    expect((await promptFor(web, "linen shirt?")).request.systemPrompt).toMatch(/\[\]$/);

    const noStore = await setup({ systemPrompt: template, store: false });
    expect((await promptFor(noStore, "linen shirt?")).request.systemPrompt).toBe("[] [] []");
  });

  it("the default template gets the current rows after the knowledge when a product matches; none without a store or a match", async () => {
    const s = await setup();
    const prepared = await promptFor(s, "Do you have the linen shirt in M?");
    const prompt = prepared.request.systemPrompt!;
    const section = prompt.indexOf(PRODUCTS_SECTION_HEADING);
    expect(section).toBeGreaterThan(prompt.indexOf("</knowledge>"));
    expect(prompt.slice(section)).toContain("1. Linen Shirt — type: Shirts");
    expect(prompt.slice(section)).toContain("M: ฿1,290.00, in stock (7)");
    expect(prompt.slice(section)).toContain("L: ฿1,290.00, OUT OF STOCK");
    expect(prompt).not.toContain("{products}");
    // The rows replace the product's passage (it would repeat them, maybe stale).
    expect(prepared.prompt.knowledge.some((k) => k.title === "Linen Shirt")).toBe(false);

    // A stock change shows in the next reply's prompt, the template untouched.
    const [row] = await db
      .select()
      .from(products)
      .where(and(eq(products.workspaceId, s.ws.workspace.id), eq(products.handle, "linen-shirt")));
    await db
      .update(products)
      .set({ variants: row!.variants.map((v) => (v.title === "M" ? { ...v, available: false } : v)) })
      .where(eq(products.id, row!.id));
    const again = (await promptFor(s, "Do you have the linen shirt in M?")).request.systemPrompt!;
    expect(again.slice(again.indexOf(PRODUCTS_SECTION_HEADING))).toContain("M: ฿1,290.00, OUT OF STOCK");

    const noMatch = await promptFor(await setup(), "Which payment methods do you accept?");
    expect(noMatch.request.systemPrompt).not.toContain(PRODUCTS_SECTION_HEADING);
    expect(noMatch.request.systemPrompt).not.toContain("<products>");

    const noStore = await promptFor(await setup({ store: false }), "Do you have the linen shirt in M?");
    expect(noStore.request.systemPrompt).not.toContain(PRODUCTS_SECTION_HEADING);
    expect(noStore.request.products).toBeUndefined();
  });

  it("a chatbot whose knowledge filters leave out the Shopify source sees no products", async () => {
    const s = await setup({ systemPrompt: "{products}", knowledgeFilters: { types: ["text"] } });
    const prepared = await promptFor(s, "Do you have the linen shirt in M?");
    expect(prepared.request.systemPrompt).toBe("");
    expect(prepared.request.products).toBeUndefined();
  });
});

describe("the Page's metadata", () => {
  it("is read again when the Page's changes webhook arrives", async () => {
    const page = simulator.graph.state.addPage({
      id: `55${Date.now()}`,
      name: "Linen Lovers",
      accessToken: `EAAPAGE${Date.now()}`,
      category: "Clothing store",
      about: "Shirts woven in Chiang Mai",
    });
    const s = await setup({
      channel: {
        externalId: page.id,
        ...sealPageToken(runtime.keyring, page.accessToken),
        config: { simulated: true },
      },
    });

    const entry = { id: page.id, time: Date.now(), changes: [{ field: "name", value: "Linen Lovers" }] };
    const events = messengerInbound(runtime.config).normalize(entry, s.channel);
    expect(events).toEqual([{ type: "account_changed", fields: ["name"] }]);

    // Through the real webhook: the signed entry is stored for processing (an entry with only
    // `changes` used to be ignored), and processing it enqueues the refresh.
    runtime.config.facebook.appSecret = "sales-test-app-secret";
    const body = JSON.stringify({ object: "page", entry: [entry] });
    const received = await receiveMessengerWebhook(
      { db, config: runtime.config, log: silentLogger, queue, limiter: runtime.limiter },
      { rawBody: Buffer.from(body), signature: signMessengerBody("sales-test-app-secret", body) },
    );
    expect(received).toEqual({ pending: 1, ignored: 0 });
    const [stored] = await db.select().from(inboundEvents).where(eq(inboundEvents.channelId, s.channel.id));
    expect(stored?.status).toBe("pending");
    await processInboundEvent.handle({ eventId: stored!.id }, jobContext(processInboundEvent.name));
    const queued = await db.select().from(jobs).where(eq(jobs.name, refreshPageMetadata.name));
    expect(queued.map((j) => j.payload)).toContainEqual({ channelId: s.channel.id });

    await refreshPageMetadata.handle({ channelId: s.channel.id }, jobContext(refreshPageMetadata.name));
    const [channel] = await db.select().from(channels).where(eq(channels.id, s.channel.id));
    expect(channel!.config).toMatchObject({
      simulated: true,
      pageMetadata: {
        name: "Linen Lovers",
        category: "Clothing store",
        about: "Shirts woven in Chiang Mai",
        description: null,
      },
    });
    expect(simulator.graph.calls.at(-1)).toMatchObject({ query: { fields: "name,about,category,description" } });
  });
});
