/**
 * Analytics through the API on a fixed fixture with hand-computed expectations (docs/analytics.md):
 * deflection (closed, quiet, human-replied, no chatbot, still active), handoffs by reason,
 * satisfaction, time zones (23:30 UTC is the next day in Bangkok), the edges of the period, the
 * playground and another workspace left out; the time-zone setting (validated, audited, OWNER/ADMIN);
 * and the daily rollups equal to a recomputation from scratch after a series of changes.
 */
import type { AnalyticsResponse } from "@tandem/contracts";
import { type Runtime, rebuildAnalyticsDays, refreshAnalyticsRollups } from "@tandem/core";
import {
  analyticsDaily,
  analyticsDailyContact,
  analyticsDailyHandoff,
  analyticsDailyHistogram,
  analyticsDailyModel,
  analyticsDailyQuery,
  analyticsDailyWorkspaceHistogram,
  auditLogs,
  conversations,
  feedback,
  messages,
  rowsOf,
  workspaces,
} from "@tandem/db";
import {
  createChannel,
  createChatbot,
  createConversation,
  createMessage,
  createTestWorkspace,
  type TestWorkspace,
} from "@tandem/db/testing";
import { and, asc, eq, getTableName, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  runtime = await createTestRuntime();
  app = createApp(runtime);
});
afterAll(async () => {
  await runtime.close();
});

const db = () => runtime.database.db;
const at = (iso: string) => new Date(iso);

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function analytics(client: TestClient, url: string): Promise<AnalyticsResponse> {
  const res = await client.get(url);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as AnalyticsResponse;
}

interface Fixture {
  ws: TestWorkspace;
  admin: TestClient;
  bot1: string;
  bot2: string;
}

async function bot(conversationId: string, createdAt: string, extra: Partial<typeof messages.$inferInsert> = {}) {
  return createMessage(db(), {
    conversationId,
    role: "BOT",
    status: "sent",
    text: "Here is the answer",
    createdAt: at(createdAt),
    ...extra,
  });
}

async function handoff(conversationId: string, createdAt: string, reason: string, meta: Record<string, unknown> = {}) {
  return createMessage(db(), {
    conversationId,
    role: "SYSTEM",
    kind: "event",
    status: "sent",
    text: "handed to a person",
    metadata: { event: "handoff", reason, ...meta },
    createdAt: at(createdAt),
  });
}

async function rate(
  message: { id: string; conversationId: string; workspaceId: string },
  rating: "helpful" | "not_helpful",
  createdAt: string,
) {
  await db()
    .insert(feedback)
    .values({
      workspaceId: message.workspaceId,
      messageId: message.id,
      conversationId: message.conversationId,
      rating,
      identifier: `visitor:${message.id}`,
      createdAt: at(createdAt),
    });
}

/**
 * Bangkok is UTC+7: its 2026-03-01 runs from 2026-02-28T17:00Z to 2026-03-01T17:00Z, its 2026-03-02
 * up to 2026-03-02T17:00Z.
 */
async function fixture(): Promise<Fixture> {
  const ws = await createSignInWorkspace(runtime);
  const workspaceId = ws.workspace.id;
  const admin = await signedIn(ws.admin.user.email);
  expect((await admin.patch("/api/v1/settings/analytics", { timeZone: "Asia/Bangkok" })).status).toBe(200);
  const bot1 = (await createChatbot(db(), { workspaceId, name: "Sales bot" })).id;
  const bot2 = (await createChatbot(db(), { workspaceId, name: "Web bot" })).id;
  const messenger = await createChannel(db(), { workspaceId, type: "messenger" });
  const line = await createChannel(db(), { workspaceId, type: "line" });
  const web = await createChannel(db(), { workspaceId, type: "web" });
  const conv = (input: Partial<typeof conversations.$inferInsert>) =>
    createConversation(db(), { workspaceId, channelId: messenger.id, ...input });

  // C1 — Bangkok 03-01 00:00:00 (the period's first instant), closed, bot only: deflected.
  const c1 = await conv({
    chatbotId: bot1,
    status: "CLOSED",
    createdAt: at("2026-02-28T17:00:00Z"),
    lastMessageAt: at("2026-02-28T17:00:02Z"),
  });
  await createMessage(db(), {
    conversationId: c1.id,
    text: "Where is my order?",
    createdAt: at("2026-02-28T17:00:00Z"),
  });
  const a1 = await bot(c1.id, "2026-02-28T17:00:02Z", {
    latencyMs: 1000,
    provider: "OPENAI",
    model: "gpt-4o-mini",
    usage: { inputTokens: 1000, outputTokens: 500 },
  });
  await bot(c1.id, "2026-02-28T17:00:05Z", { status: "draft", text: "a draft never counts" });
  await rate(a1, "helpful", "2026-03-01T00:00:00Z");

  // C2 — 23:30 UTC on 03-01 is 06:30 on 03-02 in Bangkok; open but quiet for days, an agent's note only: deflected.
  const c2 = await conv({
    chatbotId: bot1,
    createdAt: at("2026-03-01T23:30:00Z"),
    lastMessageAt: at("2026-03-01T23:30:03Z"),
  });
  await createMessage(db(), {
    conversationId: c2.id,
    text: "  where is my ORDER ",
    createdAt: at("2026-03-01T23:30:00Z"),
  });
  const a2 = await bot(c2.id, "2026-03-01T23:30:03Z", {
    latencyMs: 3000,
    provider: "OPENAI",
    model: "gpt-4o-mini",
    usage: { inputTokens: 2000, outputTokens: 1000 },
  });
  await createMessage(db(), {
    conversationId: c2.id,
    role: "AGENT",
    kind: "note",
    status: "sent",
    text: "watch this one",
    createdAt: at("2026-03-01T23:40:00Z"),
  });
  await rate(a2, "not_helpful", "2026-03-02T00:00:00Z");

  // C3 — handed off on request, an agent answered 5 minutes later: not deflected.
  const c3 = await conv({
    chatbotId: bot1,
    status: "CLOSED",
    createdAt: at("2026-03-01T02:00:00Z"),
    lastMessageAt: at("2026-03-01T02:05:01Z"),
  });
  await createMessage(db(), { conversationId: c3.id, text: "Refund, please!", createdAt: at("2026-03-01T02:00:00Z") });
  await handoff(c3.id, "2026-03-01T02:00:01Z", "human_requested");
  await createMessage(db(), {
    conversationId: c3.id,
    role: "AGENT",
    status: "sent",
    text: "Sure",
    createdAt: at("2026-03-01T02:05:01Z"),
  });

  // C4 — LINE, no chatbot: outside the deflection cohort; an agent answered a minute after the handoff.
  const c4 = await conv({
    channelId: line.id,
    createdAt: at("2026-03-02T10:00:00Z"),
    lastMessageAt: at("2026-03-02T10:01:01Z"),
  });
  await createMessage(db(), { conversationId: c4.id, text: "hello", createdAt: at("2026-03-02T10:00:00Z") });
  await handoff(c4.id, "2026-03-02T10:00:01Z", "no_chatbot");
  await createMessage(db(), {
    conversationId: c4.id,
    role: "AGENT",
    status: "sent",
    text: "Hi!",
    createdAt: at("2026-03-02T10:01:01Z"),
  });

  // C5 — web, Bangkok 03-02 23:59:59 (the period's last second), still active: in the cohort, not deflected.
  // The provider failed (a failed generation); the bot's later answer falls on 03-03, outside.
  const c5 = await conv({
    channelId: web.id,
    chatbotId: bot2,
    createdAt: at("2026-03-02T16:59:59Z"),
    lastMessageAt: new Date(),
  });
  await createMessage(db(), {
    conversationId: c5.id,
    text: "WHERE is my order",
    createdAt: at("2026-03-02T16:59:59Z"),
  });
  await handoff(c5.id, "2026-03-02T16:59:59.500Z", "provider_error", { errorCode: "rate_limited" });
  await bot(c5.id, "2026-03-02T17:00:01Z", { latencyMs: 500, provider: "OPENAI", model: "gpt-4o-mini" });

  // Left out: a second before the period, the playground, another workspace.
  const c6 = await conv({ chatbotId: bot1, createdAt: at("2026-02-28T16:59:59Z") });
  await createMessage(db(), {
    conversationId: c6.id,
    text: "where is my order",
    createdAt: at("2026-02-28T16:59:59Z"),
  });
  const playground = await createConversation(db(), {
    workspaceId,
    chatbotId: bot1,
    isPlayground: true,
    createdAt: at("2026-03-01T05:00:00Z"),
  });
  await createMessage(db(), {
    conversationId: playground.id,
    channelId: null,
    text: "where is my order",
    createdAt: at("2026-03-01T05:00:00Z"),
  });
  await bot(playground.id, "2026-03-01T05:00:01Z", { channelId: null, latencyMs: 9000 });
  const other = await createTestWorkspace(db());
  const otherBot = await createChatbot(db(), { workspaceId: other.workspace.id });
  const oc = await createConversation(db(), {
    workspaceId: other.workspace.id,
    chatbotId: otherBot.id,
    createdAt: at("2026-03-01T05:00:00Z"),
  });
  await createMessage(db(), {
    conversationId: oc.id,
    text: "where is my order",
    createdAt: at("2026-03-01T05:00:00Z"),
  });

  return { ws, admin, bot1, bot2 };
}

const PERIOD = "from=2026-03-01&to=2026-03-02";

describe("GET /api/v1/analytics", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture();
  });

  it("computes the workspace's numbers in its time zone", async () => {
    const a = await analytics(f.admin, `/api/v1/analytics?${PERIOD}`);
    expect(a.range).toEqual({ from: "2026-03-01", to: "2026-03-02", timeZone: "Asia/Bangkok" });
    expect(a.summary).toEqual({
      totalConversations: 5,
      totalMessages: 9,
      uniqueUsers: 5,
      avgMessagesPerConversation: 1.8,
      avgResponseTime: 2000,
      satisfactionRate: 0.5,
    });
    expect(a.bot).toEqual({
      responses: 2,
      latencyP50Ms: 2000,
      latencyP95Ms: 2900,
      deflectionRate: 0.5,
      deflected: 2,
      cohort: 4,
      handoffs: { total: 3, byReason: { human_requested: 1, no_chatbot: 1, provider_error: 1 } },
      failedGenerations: 1,
      models: [
        {
          provider: "OPENAI",
          model: "gpt-4o-mini",
          responses: 2,
          inputTokens: 3000,
          outputTokens: 1500,
          estimatedCostUsd: 0.00135,
        },
      ],
      feedback: { helpful: 1, notHelpful: 1, inappropriate: 0 },
    });
    // Bot replies never count: C3 waited 300 s after its handoff, C4 60 s.
    expect(a.humans).toEqual({ replies: 2, firstResponseP50Ms: 180_000, firstResponseP95Ms: 288_000 });
    expect(a.trends.daily).toEqual([
      {
        date: "2026-03-01",
        conversations: 2,
        messages: 4,
        uniqueUsers: 2,
        botResponses: 1,
        handoffs: 1,
        deflected: 1,
        failedGenerations: 0,
      },
      {
        date: "2026-03-02",
        conversations: 3,
        messages: 5,
        uniqueUsers: 3,
        botResponses: 1,
        handoffs: 2,
        deflected: 1,
        failedGenerations: 1,
      },
    ]);
    expect(a.topQueries).toEqual([
      { query: "where is my order", count: 3, avgSatisfaction: 0.5 },
      { query: "hello", count: 1, avgSatisfaction: null },
      { query: "refund, please", count: 1, avgSatisfaction: null },
    ]);
    expect(a.integrationBreakdown).toEqual({ messenger: 3, line: 1, web: 1, api: 0 });
    expect(a.byChatbot).toEqual([
      {
        chatbotId: f.bot1,
        name: "Sales bot",
        conversations: 3,
        botResponses: 2,
        deflectionRate: 0.6667,
        handoffs: 1,
        satisfactionRate: 0.5,
      },
      {
        chatbotId: f.bot2,
        name: "Web bot",
        conversations: 1,
        botResponses: 0,
        deflectionRate: 0,
        handoffs: 1,
        satisfactionRate: null,
      },
      {
        chatbotId: null,
        name: "No chatbot",
        conversations: 1,
        botResponses: 0,
        deflectionRate: null,
        handoffs: 1,
        satisfactionRate: null,
      },
    ]);
  });

  it("narrows to a chatbot and to a channel type", async () => {
    const one = await analytics(f.admin, `/api/v1/chatbots/${f.bot1}/analytics?${PERIOD}`);
    expect(one.summary.totalConversations).toBe(3);
    expect(one.bot.deflectionRate).toBe(0.6667);
    expect(one.bot.handoffs.byReason).toEqual({ human_requested: 1 });
    expect(one.byChatbot).toBeUndefined();
    const filtered = await analytics(f.admin, `/api/v1/analytics?${PERIOD}&chatbotId=${f.bot1}`);
    expect(filtered.summary).toEqual(one.summary);
    const line = await analytics(f.admin, `/api/v1/analytics?${PERIOD}&channelType=line`);
    expect(line.summary.totalConversations).toBe(1);
    expect(line.bot.cohort).toBe(0);
    expect(line.humans.firstResponseP50Ms).toBe(60_000);
    expect(line.integrationBreakdown).toEqual({ messenger: 0, line: 1, web: 0, api: 0 });
  });

  it("includes both edges of the period and nothing beyond them", async () => {
    const first = await analytics(f.admin, "/api/v1/analytics?from=2026-03-01&to=2026-03-01");
    expect(first.summary.totalConversations).toBe(2); // C1 at 00:00:00 and C3
    const before = await analytics(f.admin, "/api/v1/analytics?from=2026-02-28&to=2026-02-28");
    expect(before.summary.totalConversations).toBe(1); // C6, a second before
    const after = await analytics(f.admin, "/api/v1/analytics?from=2026-03-03&to=2026-03-03");
    expect(after.bot.responses).toBe(1); // C5's late answer
    expect(after.summary.totalConversations).toBe(0);
  });

  it("counts days in UTC once the time zone says so, then rebuilds in Bangkok's", async () => {
    expect((await f.admin.patch("/api/v1/settings/analytics", { timeZone: "UTC" })).status).toBe(200);
    const utc = await analytics(f.admin, "/api/v1/analytics?from=2026-02-28&to=2026-03-02");
    expect(utc.range.timeZone).toBe("UTC");
    // C1 and C6 on 02-28, C2 (23:30) and C3 on 03-01, C4 and C5 on 03-02.
    expect(utc.trends.daily.map((d) => d.conversations)).toEqual([2, 2, 2]);
    expect((await f.admin.patch("/api/v1/settings/analytics", { timeZone: "Asia/Bangkok" })).status).toBe(200);
    const back = await analytics(f.admin, `/api/v1/analytics?${PERIOD}`);
    expect(back.trends.daily.map((d) => d.conversations)).toEqual([2, 3]);
  });

  it("keeps another workspace's chatbot and numbers out, and agents out", async () => {
    const other = await fixture();
    const res = await other.admin.get(`/api/v1/chatbots/${f.bot1}/analytics?${PERIOD}`);
    expect(res.status).toBe(404);
    expect((await other.admin.get(`/api/v1/analytics?chatbotId=${f.bot1}`)).status).toBe(404);
    const agent = await signedIn(f.ws.agent.user.email);
    expect((await agent.get(`/api/v1/analytics?${PERIOD}`)).status).toBe(403);
  });

  it("refuses a bad period with a 400", async () => {
    for (const query of [
      "from=2026-03-02&to=2026-03-01",
      "from=2026-03-01",
      "period=1y",
      "from=2025-01-01&to=2026-03-01",
      "from=2026-02-30&to=2026-03-01",
      "period=7d&from=2026-03-01&to=2026-03-02",
    ]) {
      const res = await f.admin.get(`/api/v1/analytics?${query}`);
      expect(res.status, query).toBe(400);
    }
  });
});

describe("analytics settings", () => {
  it("validates the time zone, audits the change and lets only OWNER and ADMIN change it", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    const agent = await signedIn(ws.agent.user.email);
    expect(await (await owner.get("/api/v1/settings/analytics")).json()).toEqual({ timeZone: "UTC" });
    const bad = await owner.patch("/api/v1/settings/analytics", { timeZone: "Mars/Olympus" });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_time_zone");
    expect((await agent.patch("/api/v1/settings/analytics", { timeZone: "Asia/Tokyo" })).status).toBe(403);
    const ok = await owner.patch("/api/v1/settings/analytics", { timeZone: "asia/tokyo" });
    expect(await ok.json()).toEqual({ timeZone: "Asia/Tokyo" });
    const audits = await db()
      .select()
      .from(auditLogs)
      .where(
        and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "workspace.analytics_settings.update")),
      );
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ before: { timeZone: "UTC" }, after: { timeZone: "Asia/Tokyo" } });
  });
});

describe("daily rollups", () => {
  const snapshot = async (workspaceId: string) =>
    (
      await db()
        .select()
        .from(analyticsDaily)
        .where(eq(analyticsDaily.workspaceId, workspaceId))
        .orderBy(asc(analyticsDaily.date), asc(analyticsDaily.channelType), asc(analyticsDaily.chatbotId))
    ).map(({ id: _id, updatedAt: _u, ...row }) => row);
  const rollupTables = [
    analyticsDailyHistogram,
    analyticsDailyWorkspaceHistogram,
    analyticsDailyModel,
    analyticsDailyHandoff,
    analyticsDailyContact,
    analyticsDailyQuery,
  ];
  /** Every rollup table's rows of the workspace, in a fixed order. */
  const snapshotAll = async (workspaceId: string) => {
    const tables: Record<string, unknown[]> = { daily: await snapshot(workspaceId) };
    for (const table of rollupTables) {
      const rows = rowsOf<Record<string, unknown>>(
        await db().execute(sql`select * from ${table} where workspace_id = ${workspaceId}`),
      );
      tables[getTableName(table)] = rows.map((r) => JSON.stringify(r)).sort();
    }
    return tables;
  };
  const forgetRollups = async (workspaceId: string) => {
    await db().delete(analyticsDaily).where(eq(analyticsDaily.workspaceId, workspaceId));
    for (const table of rollupTables) {
      await db().execute(sql`delete from ${table} where workspace_id = ${workspaceId}`);
    }
  };

  it("a conversation handed to a person is never deflected, even when nobody answered it", async () => {
    const ws = await createSignInWorkspace(runtime);
    const workspaceId = ws.workspace.id;
    const admin = await signedIn(ws.admin.user.email);
    const chatbotId = (await createChatbot(db(), { workspaceId, name: "Bot" })).id;
    const channel = await createChannel(db(), { workspaceId, type: "messenger" });
    const day = "2026-04-10";
    const conv = (createdAt: string) =>
      createConversation(db(), {
        workspaceId,
        channelId: channel.id,
        chatbotId,
        createdAt: at(createdAt),
        lastMessageAt: at(createdAt),
      });
    // Quiet for months after the bot answered: deflected.
    const answered = await conv(`${day}T03:00:00Z`);
    await createMessage(db(), {
      conversationId: answered.id,
      text: "Opening hours?",
      createdAt: at(`${day}T03:00:00Z`),
    });
    await bot(answered.id, `${day}T03:00:02Z`);
    // Quiet for months after a handoff nobody answered: not deflected.
    const waiting = await conv(`${day}T04:00:00Z`);
    await createMessage(db(), {
      conversationId: waiting.id,
      text: "A person please",
      createdAt: at(`${day}T04:00:00Z`),
    });
    await handoff(waiting.id, `${day}T04:00:01Z`, "human_requested");

    const result = await analytics(admin, `/api/v1/analytics?from=${day}&to=${day}`);
    expect(result.bot).toMatchObject({ cohort: 2, deflected: 1, deflectionRate: 0.5 });
    expect(result.trends.daily).toEqual([expect.objectContaining({ date: day, deflected: 1, handoffs: 1 })]);
  });

  it("equal a recomputation from scratch after a series of changes", async () => {
    const f = await fixture();
    const workspaceId = f.ws.workspace.id;
    await analytics(f.admin, "/api/v1/analytics?period=7d"); // the first read backfills
    expect((await snapshot(workspaceId)).length).toBeGreaterThan(0);

    // Today's traffic, read after each step (incremental refresh), a time-zone change, the hourly job.
    const today = await createConversation(db(), { workspaceId, chatbotId: f.bot1 });
    await createMessage(db(), { conversationId: today.id, text: "Do you ship to Chiang Mai?" });
    await analytics(f.admin, "/api/v1/analytics?period=7d");
    await bot(today.id, new Date().toISOString(), { latencyMs: 700 });
    await handoff(today.id, new Date().toISOString(), "low_confidence");
    await createMessage(db(), { conversationId: today.id, role: "AGENT", status: "sent", text: "Yes we do" });
    await analytics(f.admin, "/api/v1/analytics?period=30d");
    expect((await f.admin.patch("/api/v1/settings/analytics", { timeZone: "America/New_York" })).status).toBe(200);
    const another = await createConversation(db(), { workspaceId, chatbotId: f.bot2 });
    await createMessage(db(), { conversationId: another.id, text: "hi" });
    await analytics(f.admin, "/api/v1/analytics?period=7d");
    // Moved to another chatbot after the fact: the hourly job's today-and-yesterday pass catches it.
    await db().update(conversations).set({ chatbotId: f.bot2 }).where(eq(conversations.id, today.id));
    await bot(another.id, new Date().toISOString(), { latencyMs: 1200 });
    const now = new Date().toLocaleDateString("en-CA", { timeZone: "America/New_York" });
    const yesterday = new Date(Date.now() - 86_400_000).toLocaleDateString("en-CA", { timeZone: "America/New_York" });
    await refreshAnalyticsRollups(db(), workspaceId, { days: { from: yesterday, to: now } });

    // Changes to older days that create nothing new: the triggers mark them, the next read rebuilds them.
    const [oldAnswer] = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, workspaceId), eq(messages.role, "BOT"), eq(messages.latencyMs, 3000)));
    await db().delete(feedback).where(eq(feedback.messageId, oldAnswer!.id));
    await rate(oldAnswer!, "helpful", "2026-03-05T00:00:00Z");
    await db().update(conversations).set({ chatbotId: f.bot2 }).where(eq(conversations.id, oldAnswer!.conversationId));
    const [oldHandoff] = await db()
      .select()
      .from(messages)
      .where(and(eq(messages.workspaceId, workspaceId), eq(messages.role, "SYSTEM")))
      .orderBy(asc(messages.createdAt));
    await db()
      .update(messages)
      .set({ metadata: { event: "handoff", reason: "low_confidence" } })
      .where(eq(messages.id, oldHandoff!.id));
    await db()
      .delete(messages)
      .where(and(eq(messages.workspaceId, workspaceId), eq(messages.role, "AGENT"), eq(messages.text, "Hi!")));
    await analytics(f.admin, "/api/v1/analytics?period=7d");

    const kept = await snapshotAll(workspaceId);
    expect(kept.analytics_daily_query!.length).toBeGreaterThan(0);
    expect(kept.analytics_daily_histogram!.length).toBeGreaterThan(0);
    await forgetRollups(workspaceId);
    await rebuildAnalyticsDays(db(), workspaceId, "America/New_York");
    expect(kept).toEqual(await snapshotAll(workspaceId));
    const scratch = await snapshot(workspaceId);
    // And the numbers moved as expected: today's conversations are bot2's now.
    const todayRows = scratch.filter((r) => r.date === now);
    expect(todayRows.map((r) => [r.chatbotId, r.conversations, r.messagesOutBot, r.handoffs])).toEqual([
      [f.bot2, 2, 2, 1],
    ]);
  });

  it("pick up changes to older days: a conversation moved, a late reply, a rating, a deletion", async () => {
    const ws = await createSignInWorkspace(runtime);
    const workspaceId = ws.workspace.id;
    const admin = await signedIn(ws.admin.user.email);
    const botA = (await createChatbot(db(), { workspaceId, name: "A" })).id;
    const botB = (await createChatbot(db(), { workspaceId, name: "B" })).id;
    const channel = await createChannel(db(), { workspaceId, type: "messenger" });
    const day = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    const c = await createConversation(db(), {
      workspaceId,
      channelId: channel.id,
      chatbotId: botA,
      status: "CLOSED",
      createdAt: at(`${day}T03:00:00Z`),
      lastMessageAt: at(`${day}T03:01:00Z`),
    });
    await createMessage(db(), { conversationId: c.id, text: "Opening hours?", createdAt: at(`${day}T03:00:00Z`) });
    const answer = await bot(c.id, `${day}T03:00:02Z`, { latencyMs: 800, provider: "OPENAI", model: "gpt-4o-mini" });
    await handoff(c.id, `${day}T03:01:00Z`, "human_requested");
    const url = "/api/v1/analytics?period=30d";
    const before = await analytics(admin, url);
    expect(before.byChatbot?.map((b) => [b.name, b.conversations])).toEqual([["A", 1]]);
    expect(before.humans).toEqual({ replies: 0, firstResponseP50Ms: null, firstResponseP95Ms: null });
    expect(before.topQueries).toEqual([{ query: "opening hours", count: 1, avgSatisfaction: null }]);

    // Moved to B; a person answers the handoff a day later (written with its past time); the answer is rated.
    await db().update(conversations).set({ chatbotId: botB }).where(eq(conversations.id, c.id));
    const nextDay = new Date(Date.parse(`${day}T03:01:00Z`) + 86_400_000);
    await createMessage(db(), { conversationId: c.id, role: "AGENT", status: "sent", text: "Hi", createdAt: nextDay });
    await rate(answer, "helpful", new Date().toISOString());
    const after = await analytics(admin, url);
    expect(after.byChatbot?.map((b) => [b.name, b.conversations, b.botResponses, b.handoffs])).toEqual([
      ["B", 1, 1, 1],
    ]);
    expect(after.humans).toEqual({ replies: 1, firstResponseP50Ms: 86_400_000, firstResponseP95Ms: 86_400_000 });
    expect(after.topQueries).toEqual([{ query: "opening hours", count: 1, avgSatisfaction: 1 }]);
    expect(after.bot).toMatchObject({ responses: 1, latencyP50Ms: 800, cohort: 1, deflected: 0 });
    expect(after.bot.feedback).toEqual({ helpful: 1, notHelpful: 0, inappropriate: 0 });
    expect(after.byChatbot?.[0]?.satisfactionRate).toBe(1);

    // The answer deleted: no response, latency or model left, and its rating went with it.
    await db().delete(messages).where(eq(messages.id, answer.id));
    const deleted = await analytics(admin, url);
    expect(deleted.bot).toMatchObject({ responses: 0, latencyP50Ms: null, latencyP95Ms: null, models: [] });
    expect(deleted.topQueries).toEqual([{ query: "opening hours", count: 1, avgSatisfaction: null }]);
    expect(deleted.summary.satisfactionRate).toBeNull();
    expect(rowsOf(await db().execute(sql`select 1 from analytics_dirty where workspace_id = ${workspaceId}`))).toEqual(
      [],
    );
  });

  it("take latency percentiles from exact values below a second and 3 significant digits above", async () => {
    const ws = await createSignInWorkspace(runtime);
    const workspaceId = ws.workspace.id;
    const admin = await signedIn(ws.admin.user.email);
    const chatbotId = (await createChatbot(db(), { workspaceId })).id;
    const c = await createConversation(db(), { workspaceId, chatbotId, createdAt: at("2026-05-01T01:00:00Z") });
    for (const [i, latencyMs] of [101, 999, 250].entries()) {
      await bot(c.id, `2026-05-01T01:00:0${i}Z`, { latencyMs });
    }
    for (const [i, latencyMs] of [1234, 1236].entries()) {
      await bot(c.id, `2026-05-02T01:00:0${i}Z`, { latencyMs });
    }
    const small = await analytics(admin, "/api/v1/analytics?from=2026-05-01&to=2026-05-01");
    // 101, 250, 999: the median is 250; p95 at 0.95 × 2 = 1.9, 90 % of the way from 250 to 999.
    expect(small.bot).toMatchObject({ responses: 3, latencyP50Ms: 250, latencyP95Ms: 924 });
    // 1,234 and 1,236 are kept as 1,230 and 1,240: p50 1,235, p95 1,239.5 (exactly, 1,235.9). The average is exact.
    const large = await analytics(admin, "/api/v1/analytics?from=2026-05-02&to=2026-05-02");
    expect(large.bot).toMatchObject({ responses: 2, latencyP50Ms: 1235, latencyP95Ms: 1240 });
    expect(large.summary.avgResponseTime).toBe(1235);
    const both = await analytics(admin, "/api/v1/analytics?from=2026-05-01&to=2026-05-02");
    // 101, 250, 999, 1230, 1240: the median is 999; p95 at 3.8, 80 % of the way from 1,230 to 1,240.
    expect(both.bot).toMatchObject({ responses: 5, latencyP50Ms: 999, latencyP95Ms: 1238 });
  });

  it("drop a deleted conversation's days, and let the workspace itself be deleted", async () => {
    const ws = await createSignInWorkspace(runtime);
    const workspaceId = ws.workspace.id;
    const admin = await signedIn(ws.admin.user.email);
    const chatbotId = (await createChatbot(db(), { workspaceId })).id;
    const day = new Date(Date.now() - 5 * 86_400_000).toISOString().slice(0, 10);
    const c = await createConversation(db(), { workspaceId, chatbotId, createdAt: at(`${day}T08:00:00Z`) });
    await createMessage(db(), { conversationId: c.id, text: "Refund please", createdAt: at(`${day}T08:00:00Z`) });
    await handoff(c.id, `${day}T08:00:01Z`, "human_requested");
    const reply = await createMessage(db(), {
      conversationId: c.id,
      role: "AGENT",
      status: "sent",
      text: "On it",
      createdAt: at(`${day}T08:02:01Z`),
    });
    await rate(reply, "helpful", `${day}T09:00:00Z`);
    const url = `/api/v1/analytics?from=${day}&to=${day}`;
    expect((await analytics(admin, url)).summary).toMatchObject({ totalConversations: 1, totalMessages: 2 });
    expect((await analytics(admin, url)).humans.firstResponseP50Ms).toBe(120_000);

    await db().delete(conversations).where(eq(conversations.id, c.id));
    const gone = await analytics(admin, url);
    expect(gone.summary).toMatchObject({
      totalConversations: 0,
      totalMessages: 0,
      uniqueUsers: 0,
      satisfactionRate: null,
    });
    expect(gone.bot.handoffs.total).toBe(0);
    expect(gone.humans.firstResponseP50Ms).toBeNull();
    expect(gone.topQueries).toEqual([]);

    // The triggers mark nothing for a workspace on its way out (its rows cascade).
    const c2 = await createConversation(db(), { workspaceId, chatbotId });
    await createMessage(db(), { conversationId: c2.id, role: "AGENT", status: "sent", text: "Hello" });
    await db().delete(workspaces).where(eq(workspaces.id, workspaceId));
    expect(rowsOf(await db().execute(sql`select 1 from analytics_dirty where workspace_id = ${workspaceId}`))).toEqual(
      [],
    );
  });
});
