/**
 * `GET /api/v1/chatbots/{id}/health` (seed S2's health check) on PGlite: S2's thresholds exactly at
 * their edges (5 / 6 and 10 / 11 errors in the last hour), older errors left out of the status but
 * listed, the LLM service's latency and error rate from the chatbot's own replies, its channels, and
 * who may read it (every member; another workspace's chatbot is a 404).
 */
import type { ChatbotHealthDto } from "@tandem/contracts";
import type { Runtime } from "@tandem/core";
import { chatbotErrors, chatbots, type messages } from "@tandem/db";
import {
  createChannel,
  createChatbot,
  createConversation,
  createMessage,
  type TestWorkspace,
} from "@tandem/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

const MINUTE = 60_000;
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

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function setup() {
  const ws = await createSignInWorkspace(runtime);
  const agent = await signedIn(ws.agent.user.email);
  const chatbot = await createChatbot(db(), {
    workspaceId: ws.workspace.id,
    providerKind: "OPENAI",
    model: "gpt-4o-mini",
  });
  return { ws, agent, chatbot };
}

/** `n` recorded errors of the chatbot, `minutesAgo` old. */
async function recordErrors(
  ws: TestWorkspace,
  chatbotId: string | null,
  n: number,
  minutesAgo: number,
  values: Partial<typeof chatbotErrors.$inferInsert> = {},
) {
  if (n === 0) return;
  await db()
    .insert(chatbotErrors)
    .values(
      Array.from({ length: n }, () => ({
        workspaceId: ws.workspace.id,
        chatbotId,
        kind: "send" as const,
        code: "platform_error_2",
        message: "An unexpected error has occurred.",
        createdAt: new Date(Date.now() - minutesAgo * MINUTE),
        ...values,
      })),
    );
}

async function health(client: TestClient, chatbotId: string): Promise<ChatbotHealthDto> {
  const res = await client.get(`/api/v1/chatbots/${chatbotId}/health`);
  expect(res.status).toBe(200);
  return res.json();
}

describe("chatbot health: S2's thresholds", () => {
  it.each([
    [0, "healthy"],
    [5, "healthy"],
    [6, "degraded"],
    [10, "degraded"],
    [11, "unhealthy"],
  ] as const)("%i errors in the last hour: %s", async (n, status) => {
    const { ws, agent, chatbot } = await setup();
    await recordErrors(ws, chatbot.id, n, 30);
    const body = await health(agent, chatbot.id);
    expect(body.status).toBe(status);
    expect(body.checks.errorRate).toEqual({
      status,
      errorsLastHour: n,
      errorsLastDay: n,
      degradedThreshold: 5,
      errorThreshold: 10,
    });
  });

  it("counts only the last hour for the status; older errors count in the day and are still listed", async () => {
    const { ws, agent, chatbot } = await setup();
    await recordErrors(ws, chatbot.id, 5, 30);
    await recordErrors(ws, chatbot.id, 20, 61, { code: "token_expired" });
    await recordErrors(ws, chatbot.id, 3, 25 * 60, { code: "older_than_a_day" });
    // Another chatbot's errors and a conversation without a chatbot do not count.
    const other = await createChatbot(db(), { workspaceId: ws.workspace.id });
    await recordErrors(ws, other.id, 12, 5);
    await recordErrors(ws, null, 12, 5);
    const body = await health(agent, chatbot.id);
    expect(body.status).toBe("healthy");
    expect(body.checks.errorRate).toMatchObject({ errorsLastHour: 5, errorsLastDay: 25 });
    // The newest first, at most 20, none older than a day.
    expect(body.recentErrors).toHaveLength(20);
    expect(body.recentErrors.slice(0, 5).every((e) => e.code === "platform_error_2")).toBe(true);
    expect(body.recentErrors.some((e) => e.code === "older_than_a_day")).toBe(false);
    expect(body.lastError).toMatchObject({ kind: "send", code: "platform_error_2" });
  });

  it("the last error is shown even when it is older than a day", async () => {
    const { ws, agent, chatbot } = await setup();
    expect((await health(agent, chatbot.id)).lastError).toBeNull();
    await recordErrors(ws, chatbot.id, 1, 3 * 24 * 60, { kind: "embedding", code: "embedding_failed" });
    const body = await health(agent, chatbot.id);
    expect(body.recentErrors).toEqual([]);
    expect(body.lastError).toMatchObject({ kind: "embedding", code: "embedding_failed" });
    expect(Date.parse(body.lastError!.occurredAt)).toBeLessThan(Date.now() - 2 * 24 * 60 * MINUTE);
  });
});

describe("chatbot health: components", () => {
  it("the LLM service: the chatbot's provider and model, its replies' average latency and the failed share", async () => {
    const { ws, agent, chatbot } = await setup();
    const conversation = await createConversation(db(), { workspaceId: ws.workspace.id, chatbotId: chatbot.id });
    const reply = (latencyMs: number, minutesAgo: number, values: Partial<typeof messages.$inferInsert> = {}) =>
      createMessage(db(), {
        conversationId: conversation.id,
        role: "BOT",
        status: "sent",
        provider: "OPENAI",
        model: "gpt-4o-mini",
        latencyMs,
        createdAt: new Date(Date.now() - minutesAgo * MINUTE),
        ...values,
      });
    await reply(1000, 10);
    await reply(2000, 20);
    await reply(3000, 30);
    await reply(9000, 120); // the day, not the hour
    await reply(50_000, 10, { status: "draft" }); // a draft is not a reply
    await createMessage(db(), { conversationId: conversation.id, role: "BOT", status: "sent", latencyMs: null });
    // Another chatbot's reply in the same workspace.
    const other = await createChatbot(db(), { workspaceId: ws.workspace.id });
    const theirs = await createConversation(db(), { workspaceId: ws.workspace.id, chatbotId: other.id });
    await createMessage(db(), { conversationId: theirs.id, role: "BOT", status: "sent", latencyMs: 40_000 });
    await recordErrors(ws, chatbot.id, 1, 5, { kind: "generation", code: "provider_rate_limited", provider: "OPENAI" });
    await recordErrors(ws, chatbot.id, 2, 5); // sends: errors, not failed generations

    const { checks } = await health(agent, chatbot.id);
    expect(checks.llmService).toEqual({
      status: "degraded",
      provider: "OPENAI",
      model: "gpt-4o-mini",
      avgResponseTime: 2000,
      avgResponseTimeLastDay: 3750,
      repliesLastHour: 3,
      failedGenerationsLastHour: 1,
      errorRate: 0.25,
    });
    expect(checks.database).toMatchObject({ status: "ok", responseTime: expect.any(Number) });
  });

  it("the LLM service is down when every attempt of the last hour failed, ok with none", async () => {
    const { ws, agent, chatbot } = await setup();
    expect((await health(agent, chatbot.id)).checks.llmService).toMatchObject({
      status: "ok",
      avgResponseTime: null,
      errorRate: null,
    });
    await recordErrors(ws, chatbot.id, 2, 5, { kind: "generation", code: "provider_auth_failed" });
    expect((await health(agent, chatbot.id)).checks.llmService).toMatchObject({ status: "down", errorRate: 1 });
  });

  it("the default chatbot's replies include conversations that name no chatbot", async () => {
    const { ws, agent } = await setup();
    const fallback = await createChatbot(db(), { workspaceId: ws.workspace.id, isDefault: true });
    const conversation = await createConversation(db(), { workspaceId: ws.workspace.id, chatbotId: null });
    await createMessage(db(), { conversationId: conversation.id, role: "BOT", status: "sent", latencyMs: 700 });
    expect((await health(agent, fallback.id)).checks.llmService).toMatchObject({
      avgResponseTime: 700,
      repliesLastHour: 1,
    });
  });

  it("its channels: one needing reconnection makes the chatbot degraded; disconnected ones are not listed", async () => {
    const { ws, agent, chatbot } = await setup();
    const page = await createChannel(db(), { workspaceId: ws.workspace.id, chatbotId: chatbot.id, name: "Shop Page" });
    await createChannel(db(), {
      workspaceId: ws.workspace.id,
      chatbotId: chatbot.id,
      disconnectedAt: new Date(),
    });
    expect(await health(agent, chatbot.id)).toMatchObject({
      status: "healthy",
      checks: {
        channels: [{ id: page.id, type: "messenger", name: "Shop Page", status: "active", reconnectNeeded: false }],
      },
    });
    const line = await createChannel(db(), {
      workspaceId: ws.workspace.id,
      chatbotId: chatbot.id,
      type: "line",
      status: "reconnect_needed",
      statusReason: "The channel access token was revoked.",
    });
    const body = await health(agent, chatbot.id);
    expect(body.status).toBe("degraded");
    expect(body.checks.errorRate.status).toBe("healthy");
    expect(body.checks.channels[1]).toEqual({
      id: line.id,
      type: "line",
      name: line.name,
      status: "reconnect_needed",
      reconnectNeeded: true,
      statusReason: "The channel access token was revoked.",
    });
  });

  it("vector search: available with pgvector; full text only without an embedding model (not a fault)", async () => {
    const { agent, chatbot } = await setup();
    const body = await health(agent, chatbot.id);
    expect(body.checks.vectorSearch).toEqual({
      status: "ok",
      available: runtime.database.vector,
      retrieval: "full_text_only",
      embedding: "off",
      error: null,
      failuresLastHour: 0,
    });
    expect(body.uptime).toBeGreaterThanOrEqual(0);
    expect(Date.parse(body.startedAt)).toBe(runtime.startedAt.getTime());
  });

  it("vector search: an embedding model whose vectors failed is degraded, with the reason", async () => {
    const { agent, chatbot } = await setup();
    await db()
      .update(chatbots)
      .set({
        retrievalSettings: { embedding: { credentialId: null, provider: "OPENAI", model: "text-embedding-3-small" } },
        embeddingState: { active: null, state: "failed", error: "Embedding stopped: 401 invalid key" },
      })
      .where(eq(chatbots.id, chatbot.id));
    const { checks } = await health(agent, chatbot.id);
    expect(checks.vectorSearch).toEqual({
      status: "degraded",
      available: runtime.database.vector,
      retrieval: "full_text_only",
      embedding: runtime.database.vector ? "failed" : "off",
      error: runtime.database.vector ? "Embedding stopped: 401 invalid key" : null,
      failuresLastHour: 0,
    });
  });
});

describe("chatbot health: who may read it", () => {
  it("every member of the workspace; another workspace's chatbot, a deleted one or an unknown id is a 404", async () => {
    const { ws, chatbot } = await setup();
    for (const member of [ws.owner, ws.admin, ws.agent]) {
      const client = await signedIn(member.user.email);
      expect((await client.get(`/api/v1/chatbots/${chatbot.id}/health`)).status).toBe(200);
    }
    const other = await createSignInWorkspace(runtime);
    const stranger = await signedIn(other.owner.user.email);
    const res = await stranger.get(`/api/v1/chatbots/${chatbot.id}/health`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("chatbot_not_found");
    const deleted = await createChatbot(db(), { workspaceId: ws.workspace.id, deletedAt: new Date() });
    const agent = await signedIn(ws.agent.user.email);
    expect((await agent.get(`/api/v1/chatbots/${deleted.id}/health`)).status).toBe(404);
    expect((await agent.get("/api/v1/chatbots/bot_unknown/health")).status).toBe(404);
    expect((await new TestClient(app).get(`/api/v1/chatbots/${chatbot.id}/health`)).status).toBe(401);
  });
});
