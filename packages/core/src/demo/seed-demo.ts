import {
  channels,
  chatbots,
  contacts,
  conversations,
  type Db,
  documents,
  knowledgeSources,
  members,
  providerCredentials,
  users,
  workspaces,
} from "@tandem/db";
import { eq, sql } from "drizzle-orm";
import { hashPassword } from "../auth/crypto.ts";
import { createInitialPromptVersion } from "../bots/initial-prompt-version.ts";
import { DEFAULT_SUBSCRIBED_FIELDS } from "../channels/messenger/graph-client.ts";
import { appendMessage } from "../conversations/append-message.ts";
import { chunkText } from "../knowledge/chunk-text.ts";
import { replaceChunks } from "../knowledge/write-chunks.ts";
import type { Keyring } from "../secrets/keyring.ts";
import { seedDemoShopifyStore } from "./seed-demo-shopify-store.ts";

/**
 * The demo workspace of a fresh install: three people (one per role), a default chatbot on the
 * offline provider with a few FAQ entries, a shared knowledge source (the help centre's care guide,
 * ready), a simulated Messenger Page and a website channel, and a handful of conversations. Seeding is idempotent: an existing demo owner means nothing is done.
 *
 * With the simulator on, the workspace also gets an OpenAI-compatible credential (no key) pointing at
 * the simulator's fake OpenAI API, while the chatbot stays on the offline provider: switching to
 * "OpenAI-compatible" in Settings → AI provider shows LLM replies without any key or network.
 */
export const DEMO_USERS = [
  { email: "owner@demo.local", name: "Olivia Owner", role: "OWNER" },
  { email: "admin@demo.local", name: "Adam Admin", role: "ADMIN" },
  { email: "agent@demo.local", name: "Alex Agent", role: "AGENT" },
] as const;

/** The Page the in-process simulator plays; GRAPH_API_URL points at the simulator in demo mode. */
export const DEMO_PAGE = { id: "1000000000000001", name: "Demo Shop", accessToken: "sim-demo-page-token" } as const;

export const DEMO_FAQ = [
  {
    question: "What are your opening hours?",
    answer: "Our support team is available Monday to Friday, 9:00–18:00 (UTC+7). The bot answers around the clock.",
  },
  {
    question: "How long does shipping take?",
    answer: "Orders ship within 1 business day. Delivery takes 2–4 business days in Thailand and 5–10 internationally.",
  },
  {
    question: "What is your return policy?",
    answer:
      "You can return unused items within 30 days of delivery for a full refund. Start a return from your order page.",
  },
  {
    question: "Which payment methods do you accept?",
    answer: "We accept Visa, Mastercard, PromptPay, PayPal and cash on delivery for orders under 3,000 THB.",
  },
  {
    question: "Do you ship internationally?",
    answer: "Yes, we ship to over 40 countries. Shipping costs are shown at checkout before you pay.",
  },
];

/** The demo's knowledge base: a help-centre page on topics the FAQ does not cover, so answers show their sources. */
export const DEMO_GUIDE = {
  title: "Demo Shop care guide",
  content: `# Demo Shop care guide

## Warranty
Every electronic item comes with a 12-month warranty from the day it is delivered. To claim it, send
the order number and a short video of the fault through the chat; we collect the item for free and
repair or replace it within 7 days.

## Gift wrapping
Gift wrapping costs 50 THB per item. Choose it at checkout and add a card message of up to 200
characters; the price is never printed on the packing slip of a wrapped order.

## Store pickup
Orders can be collected from our Siam Square store in Bangkok. Choose "Store pickup" at checkout;
the order is ready the same day when placed before 15:00, and we keep it for 7 days.

## Loyalty points
Members earn 1 point for every 100 THB spent. 100 points are worth 50 THB off the next order, and
points expire 12 months after they are earned.
`,
} as const;

export interface SeedDemoResult {
  created: boolean;
  workspaceId: string;
  logins: { email: string; role: string }[];
}

/** The simulator's fake OpenAI API below its mount point (`/_simulator` in the app). */
export const DEMO_LLM_PATH = "/llm/openai/v1";

export interface SeedDemoOptions {
  password: string;
  keyring: Keyring;
  /** Where the simulator is served (`${APP_URL}/_simulator`), when it is on. */
  simulatorUrl?: string | undefined;
}

export async function seedDemo(db: Db, options: SeedDemoOptions): Promise<SeedDemoResult> {
  const logins = DEMO_USERS.map(({ email, role }) => ({ email, role }));
  const [existing] = await db
    .select({ workspaceId: members.workspaceId })
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(sql`lower(${users.email})`, DEMO_USERS[0].email))
    .limit(1);
  if (existing) return { created: false, workspaceId: existing.workspaceId, logins };

  const passwordHash = await hashPassword(options.password);
  return db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const [workspace] = await tx.insert(workspaces).values({ name: "Demo Shop" }).returning();
    const workspaceId = workspace!.id;
    const people: Record<string, { userId: string; memberId: string }> = {};
    for (const u of DEMO_USERS) {
      const [user] = await tx.insert(users).values({ email: u.email, name: u.name, passwordHash }).returning();
      const [member] = await tx.insert(members).values({ workspaceId, userId: user!.id, role: u.role }).returning();
      people[u.role] = { userId: user!.id, memberId: member!.id };
    }

    const [bot] = await tx
      .insert(chatbots)
      .values({
        workspaceId,
        name: "Demo Assistant",
        description: "Answers common shop questions from the FAQ and hands everything else to a person.",
        status: "active",
        isDefault: true,
        providerKind: "OFFLINE",
        model: "offline-faq",
        welcomeMessage: "Hi! I'm the Demo Shop assistant. Ask me about shipping, returns, payment or opening hours.",
        promptVariables: { brandName: "Demo Shop", tone: "friendly and concise" },
        faqEntries: DEMO_FAQ,
        createdById: people.OWNER!.userId,
      })
      .returning();
    await createInitialPromptVersion(tx, bot!, people.OWNER!.userId);

    // A shared help-centre source with one ready document, chunked here (no job needed to start).
    const [guideSource] = await tx
      .insert(knowledgeSources)
      .values({ workspaceId, type: "text", name: "Help centre", status: "ready", lastSyncedAt: new Date() })
      .returning();
    const [guide] = await tx
      .insert(documents)
      .values({
        workspaceId,
        sourceId: guideSource!.id,
        title: DEMO_GUIDE.title,
        mimeType: "text/markdown",
        documentType: "guide",
        content: DEMO_GUIDE.content,
        sizeBytes: Buffer.byteLength(DEMO_GUIDE.content),
        status: "ready",
        progress: 100,
        language: "en",
      })
      .returning();
    await replaceChunks(tx, guide!, null, chunkText(DEMO_GUIDE.content));

    if (options.simulatorUrl) {
      await tx.insert(providerCredentials).values({
        workspaceId,
        kind: "OPENAI_COMPATIBLE",
        baseUrl: `${options.simulatorUrl.replace(/\/+$/, "")}${DEMO_LLM_PATH}`,
        defaultModel: "llama3.3-70b-instruct",
      });
      // A simulated Shopify store with its catalog: the demo bot answers product questions with cards.
      await seedDemoShopifyStore(tx, { workspaceId, keyring: options.keyring });
    }

    const [messenger] = await tx
      .insert(channels)
      .values({
        workspaceId,
        chatbotId: bot!.id,
        type: "messenger",
        name: `${DEMO_PAGE.name} (simulated Page)`,
        externalId: DEMO_PAGE.id,
        secretsEncrypted: options.keyring.encrypt(JSON.stringify({ pageAccessToken: DEMO_PAGE.accessToken })),
        secretHints: { pageAccessToken: `••••${DEMO_PAGE.accessToken.slice(-4)}` },
        // What `refresh-page-metadata` would read from the simulated Page, for `{facebook_metadata}`.
        config: {
          simulated: true,
          pageMetadata: {
            name: DEMO_PAGE.name,
            about: "Linen shirts, cotton tees and everyday basics, shipped from Bangkok.",
            category: "Shopping & Retail",
            description: null,
            fetchedAt: new Date().toISOString(),
          },
        },
        status: "active",
        subscribed: true,
        subscribedFields: [...DEFAULT_SUBSCRIBED_FIELDS],
      })
      .returning();
    const [web] = await tx
      .insert(channels)
      // The demo chatbot's widget channel, as the widget and the public chat API find it (`publicChannel`).
      .values({
        workspaceId,
        chatbotId: bot!.id,
        type: "web",
        name: `${bot!.name} · Website`,
        externalId: bot!.id,
        status: "active",
        config: {},
      })
      .returning();

    const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);
    const threads: {
      channelId: string;
      contact: { platformUserId: string; name: string; locale?: string };
      status?: "OPEN" | "SNOOZED" | "CLOSED";
      autoBot?: boolean;
      needsHuman?: boolean;
      assignee?: "AGENT" | "ADMIN";
      tags?: string[];
      unread?: number;
      messages: { role: "USER" | "BOT" | "AGENT" | "SYSTEM"; text: string; at: number; kind?: "text" | "note" }[];
    }[] = [
      {
        channelId: messenger!.id,
        contact: { platformUserId: "7000000000000001", name: "Mai Suzuki", locale: "ja_JP" },
        tags: ["shipping"],
        unread: 1,
        messages: [
          { role: "USER", text: "Hello! How long does shipping take to Osaka?", at: 42 },
          { role: "BOT", text: DEMO_FAQ[1]!.answer, at: 41 },
          { role: "USER", text: "Thanks! And can I pay with PayPal?", at: 12 },
        ],
      },
      {
        channelId: messenger!.id,
        contact: { platformUserId: "7000000000000002", name: "Carlos Mendes", locale: "es_ES" },
        autoBot: false,
        needsHuman: true,
        assignee: "AGENT",
        tags: ["returns", "vip"],
        messages: [
          { role: "USER", text: "My order arrived damaged. I want to talk to a person please.", at: 180 },
          { role: "SYSTEM", text: "Handed off to a human: the customer asked for a person. Auto-bot is off.", at: 180 },
          { role: "AGENT", text: "Hi Carlos, I'm sorry about that! Could you send a photo of the damage?", at: 170 },
          { role: "SYSTEM", text: "Customer has photos; replacement approved by Adam.", at: 160, kind: "note" },
        ],
      },
      {
        channelId: web!.id,
        contact: { platformUserId: "visitor-demo-1", name: "Website visitor" },
        messages: [
          { role: "USER", text: "What is your return policy?", at: 60 * 26 },
          { role: "BOT", text: DEMO_FAQ[2]!.answer, at: 60 * 26 - 1 },
        ],
        status: "CLOSED",
      },
      {
        channelId: messenger!.id,
        contact: { platformUserId: "7000000000000003", name: "Somchai Prasert", locale: "th_TH" },
        status: "SNOOZED",
        assignee: "ADMIN",
        messages: [
          { role: "USER", text: "Do you ship internationally?", at: 60 * 5 },
          { role: "BOT", text: DEMO_FAQ[4]!.answer, at: 60 * 5 - 1 },
        ],
      },
    ];

    for (const thread of threads) {
      const lastInbound = [...thread.messages].reverse().find((m) => m.role === "USER");
      const firstAt = minutesAgo(Math.max(...thread.messages.map((m) => m.at)));
      // "Since" is their first message and "Last seen" their latest one, as if they had really written.
      const [contact] = await tx
        .insert(contacts)
        .values({
          workspaceId,
          channelId: thread.channelId,
          ...thread.contact,
          createdAt: firstAt,
          lastSeenAt: lastInbound ? minutesAgo(lastInbound.at) : null,
        })
        .returning();
      const [conversation] = await tx
        .insert(conversations)
        .values({
          workspaceId,
          channelId: thread.channelId,
          chatbotId: bot!.id,
          contactId: contact!.id,
          status: thread.status ?? "OPEN",
          autoBot: thread.autoBot ?? true,
          needsHuman: thread.needsHuman ?? false,
          assigneeId: thread.assignee ? people[thread.assignee]!.memberId : null,
          tags: thread.tags ?? [],
          unreadCount: thread.unread ?? 0,
          // The messages below move it on, with the preview (`appendMessage`).
          lastMessageAt: minutesAgo(thread.messages[0]!.at),
          lastInboundAt: lastInbound ? minutesAgo(lastInbound.at) : null,
          handoffAt: thread.needsHuman ? minutesAgo(thread.messages[0]!.at) : null,
          handoffReason: thread.needsHuman ? "human_requested" : null,
          createdAt: firstAt,
        })
        .returning();
      for (const [i, m] of thread.messages.entries()) {
        await appendMessage(tx, conversation!, {
          role: m.role,
          kind: m.kind ?? "text",
          text: m.text,
          status: m.role === "USER" ? "received" : m.role === "SYSTEM" ? "sent" : "read",
          platformMessageId: m.role === "SYSTEM" ? null : `m_demo_${conversation!.id}_${i}`,
          authorMemberId:
            m.role === "AGENT" ? people.AGENT!.memberId : m.kind === "note" ? people.ADMIN!.memberId : null,
          provider: m.role === "BOT" ? "OFFLINE" : null,
          model: m.role === "BOT" ? "offline-faq" : null,
          createdAt: minutesAgo(m.at),
          sentAt: m.role === "USER" ? null : minutesAgo(m.at),
        });
      }
    }
    return { created: true, workspaceId, logins };
  });
}
