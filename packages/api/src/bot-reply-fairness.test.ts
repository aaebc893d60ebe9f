/**
 * One workspace's slow LLM provider must not hold up another workspace's bot replies: the whole
 * pipeline (signed webhook → process-inbound-event → generate-bot-reply → send-outbound-message) on
 * the embedded queue, with the simulator's fake OpenAI and Graph API over real HTTP.
 */
import { providerDeps, type Runtime, updateProviderSettings } from "@tandem/core";
import { createChannel, createChatbot, createTestWorkspace } from "@tandem/db/testing";
import {
  messengerWebhook,
  type ServedSimulator,
  serializeLikeMeta,
  serveSimulator,
  signMessengerBody,
  textEvent,
} from "@tandem/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../tests/support/runtime.ts";
import { createApp } from "./app.ts";

const APP_SECRET = "fairness-test-app-secret";
const SLOW_KEY = "sk-fairness-slow-aaaa";
const FAST_KEY = "sk-fairness-fast-bbbb";

let runtime: Runtime;
let served: ServedSimulator;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  served = await serveSimulator();
  runtime = await createTestRuntime({ FB_APP_SECRET: APP_SECRET });
  runtime.config.facebook.graphApiUrl = `${served.url}/graph`;
  await attachTestQueue(runtime).start();
  app = createApp(runtime);
});
afterAll(async () => {
  // The slow workspace's replies are still waiting on their provider: hand them back at once.
  await runtime.queue?.stop({ timeoutMs: 0 });
  await runtime.close();
  await served.close();
});

/** A workspace whose default chatbot answers through the fake OpenAI with `apiKey`, on a Messenger Page. */
async function botPage(apiKey: string) {
  const db = runtime.database.db;
  const ws = await createTestWorkspace(db);
  const chatbot = await createChatbot(db, { workspaceId: ws.workspace.id, isDefault: true, timeoutMs: 120_000 });
  await updateProviderSettings(
    {
      db,
      workspaceId: ws.workspace.id,
      actor: { type: "user", userId: ws.owner.user.id, memberId: ws.owner.member.id, role: "OWNER" },
      log: runtime.log,
    },
    {
      provider: "OPENAI_COMPATIBLE",
      apiKey,
      baseUrl: `${served.url}/llm/openai/v1`,
      model: "llama3.1:8b",
      temperature: 0.3,
      maxTokens: 256,
      systemPrompt: "",
    },
    providerDeps(runtime),
  );
  const pageId = `77${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  const pageToken = `EAAfair${pageId}`;
  served.simulator.graph.state.addPage({ id: pageId, name: `Page ${pageId}`, accessToken: pageToken });
  await createChannel(db, {
    workspaceId: ws.workspace.id,
    externalId: pageId,
    chatbotId: chatbot.id,
    secretsEncrypted: runtime.keyring.encrypt(JSON.stringify({ pageAccessToken: pageToken })),
  });
  return { pageId };
}

let customers = 0;
/** A new customer writes to the Page: a new conversation, so a reply job of its own. */
async function customerWrites(pageId: string, text: string): Promise<string> {
  const psid = `7200${Date.now()}${++customers}`;
  const body = serializeLikeMeta(messengerWebhook([textEvent({ pageId, psid, text })]));
  const res = await app.request("http://localhost:3000/api/webhooks/messenger", {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signMessengerBody(APP_SECRET, body) },
    body,
  });
  expect(res.status).toBe(200);
  return psid;
}

const repliesTo = (psid: string) =>
  served.simulator.graph.state.outbox.filter((r) => r.kind === "message" && r.recipientId === psid);
const callsWithKey = (key: string) =>
  served.simulator.llm.state.calls.filter((c) => c.auth.keySuffix === key.slice(-4)).length;

async function until(probe: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("bot replies across workspaces", () => {
  it("a workspace whose provider hangs does not hold up another workspace's replies", async () => {
    const slow = await botPage(SLOW_KEY);
    const fast = await botPage(FAST_KEY);
    // Workspace A's provider takes minutes to answer (far beyond this test).
    served.simulator.llm.state.addFault({ kind: "slow", key: SLOW_KEY, delayMs: 120_000, times: Infinity });

    // More of A's customers than the queue used to have slots for bot replies (four).
    const stuck: string[] = [];
    for (let i = 0; i < 6; i++) stuck.push(await customerWrites(slow.pageId, "How long does shipping take?"));
    await until(() => callsWithKey(SLOW_KEY) >= 4, "A's replies to reach its provider", 20_000);

    const psid = await customerWrites(fast.pageId, "How long does shipping take?");
    await until(() => repliesTo(psid).length > 0, "B's bot reply at the Send API", 15_000);
    expect(callsWithKey(FAST_KEY)).toBe(1);
    // A's replies are still waiting on A's provider, four at a time (its share of the slots).
    expect(callsWithKey(SLOW_KEY)).toBe(4);
    expect(stuck.flatMap(repliesTo)).toEqual([]);
  });
});
