/**
 * Provider settings and the connection test: keys stored encrypted and read back only as hints, one
 * credential per kind, validation, roles, workspace isolation, the audit trail, and verdicts from
 * the simulator's fake LLMs over real HTTP.
 */
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { createProvider, loadProviderConfig, type Runtime } from "@tandem/core";
import { auditLogs, chatbots, promptVersions, providerCredentials } from "@tandem/db";
import { createChatbot, createConversation, createMessage } from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let sim: ServedSimulator;

beforeAll(async () => {
  sim = await serveSimulator();
  // The hosted providers' server-wide base URLs point at the simulator's fakes (OPENAI_BASE_URL…).
  runtime = await createTestRuntime({
    OPENAI_BASE_URL: `${sim.url}/llm/openai`,
    GEMINI_BASE_URL: `${sim.url}/llm/gemini`,
    OPENROUTER_BASE_URL: `${sim.url}/llm/openrouter/api/v1`,
  });
  app = createApp(runtime);
});
afterAll(async () => {
  await runtime.close();
  await sim.close();
});

const OPENAI_KEY = "sk-test-openai-0123456789abcdef-a1b2";
const GEMINI_KEY = "AIza-test-gemini-0123456789-c3d4";

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function newWorkspace() {
  const ws = await createSignInWorkspace(runtime);
  return { ws, admin: await signedIn(ws.admin.user.email) };
}

const jobDeps = () => ({ db: runtime.database.db, keyring: runtime.keyring, config: runtime.config });

/** A port nothing listens on: the "unreachable base URL" case. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 9;
}

const settings = (overrides: Record<string, unknown> = {}) => ({
  provider: "OPENAI",
  apiKey: OPENAI_KEY,
  model: "gpt-4o-mini",
  temperature: 0.4,
  maxTokens: 600,
  systemPrompt: "You are {brand_name}'s assistant. {knowledge}",
  ...overrides,
});

async function credentialRow(workspaceId: string, kind: "OPENAI" | "GEMINI" | "OPENROUTER" | "OPENAI_COMPATIBLE") {
  const [row] = await runtime.database.db
    .select()
    .from(providerCredentials)
    .where(and(eq(providerCredentials.workspaceId, workspaceId), eq(providerCredentials.kind, kind)));
  return row;
}

describe("GET /api/v1/settings/provider", () => {
  it("reads the defaults of a workspace without a chatbot, with suggestions and prompt variables", async () => {
    const { admin } = await newWorkspace();
    const res = await admin.get("/api/v1/settings/provider");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      chatbotId: null,
      provider: "OFFLINE",
      model: "offline-faq",
      temperature: 0.3,
      maxTokens: 512,
      systemPrompt: "",
      hasApiKey: false,
      apiKeyHint: null,
    });
    expect(body.credentials.map((c: { provider: string }) => c.provider)).toEqual([
      "OPENAI",
      "GEMINI",
      "OPENROUTER",
      "OPENAI_COMPATIBLE",
    ]);
    expect(body.suggestedModels.OPENAI).toContain("gpt-4o-mini");
    expect(body.suggestedModels.GEMINI).toContain("gemini-2.5-flash");
    expect(body.suggestedModels.OFFLINE).toEqual(["offline-faq"]);
    expect(body.promptVariables).toContain("brand_name");
    expect(body.defaultSystemPrompt).toContain("{brand_name}");
    // Server-wide base URLs from the environment, so the form can show what an empty field means.
    expect(body.defaultBaseUrls).toMatchObject({
      OPENAI: `${sim.url}/llm/openai`,
      GEMINI: `${sim.url}/llm/gemini`,
      OPENAI_COMPATIBLE: null,
      OFFLINE: null,
    });
  });

  it("reads an existing default chatbot's settings", async () => {
    const { ws, admin } = await newWorkspace();
    const bot = await createChatbot(runtime.database.db, {
      workspaceId: ws.workspace.id,
      isDefault: true,
      providerKind: "OFFLINE",
      model: "offline-faq",
      temperature: 0.7,
      maxTokens: 300,
      systemPrompt: "Hello {brand_name}",
    });
    const body = await (await admin.get("/api/v1/settings/provider")).json();
    expect(body).toMatchObject({ chatbotId: bot.id, temperature: expect.closeTo(0.7, 5), maxTokens: 300 });
    expect(body.systemPrompt).toBe("Hello {brand_name}");
  });
});

describe("PUT /api/v1/settings/provider", () => {
  it("stores the key encrypted, answers with a hint only, and creates the default chatbot", async () => {
    const { ws, admin } = await newWorkspace();
    const res = await admin.put("/api/v1/settings/provider", settings());
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(OPENAI_KEY);
    const body = JSON.parse(text);
    expect(body).toMatchObject({
      provider: "OPENAI",
      model: "gpt-4o-mini",
      maxTokens: 600,
      hasApiKey: true,
      apiKeyHint: "••••a1b2",
      chatbotId: expect.stringMatching(/^bot_/),
    });
    expect(body.temperature).toBeCloseTo(0.4, 5);

    const row = await credentialRow(ws.workspace.id, "OPENAI");
    expect(row?.apiKeyEncrypted).toMatch(/^enc:v1:/);
    expect(row?.apiKeyEncrypted).not.toContain(OPENAI_KEY);
    expect(runtime.keyring.decrypt(row!.apiKeyEncrypted!)).toBe(OPENAI_KEY);
    expect(row?.keyHint).toBe("••••a1b2");

    const [bot] = await runtime.database.db.select().from(chatbots).where(eq(chatbots.workspaceId, ws.workspace.id));
    expect(bot).toMatchObject({ id: body.chatbotId, isDefault: true, providerKind: "OPENAI", status: "active" });

    // GET never carries the key either.
    const again = await (await admin.get("/api/v1/settings/provider")).text();
    expect(again).not.toContain(OPENAI_KEY);
    expect(JSON.parse(again)).toMatchObject({ provider: "OPENAI", hasApiKey: true, apiKeyHint: "••••a1b2" });
  });

  it("updates the existing default chatbot and records a prompt version when the prompt changes", async () => {
    const { ws, admin } = await newWorkspace();
    const bot = await createChatbot(runtime.database.db, { workspaceId: ws.workspace.id, isDefault: true });
    const body = await (await admin.put("/api/v1/settings/provider", settings())).json();
    expect(body.chatbotId).toBe(bot.id);
    await admin.put("/api/v1/settings/provider", settings({ temperature: 1 }));
    await admin.put("/api/v1/settings/provider", settings({ systemPrompt: "Be brief. {knowledge}" }));

    const versions = await runtime.database.db
      .select()
      .from(promptVersions)
      .where(eq(promptVersions.chatbotId, bot.id))
      .orderBy(promptVersions.version);
    expect(versions.map((v) => [v.version, v.text])).toEqual([
      [1, "You are {brand_name}'s assistant. {knowledge}"],
      [2, "Be brief. {knowledge}"],
    ]);
    const [saved] = await runtime.database.db.select().from(chatbots).where(eq(chatbots.id, bot.id));
    expect(saved?.currentPromptVersionId).toBe(versions[1]!.id);
  });

  it("a default chatbot created by the first save starts at prompt version 1", async () => {
    const { ws, admin } = await newWorkspace();
    const body = await (await admin.put("/api/v1/settings/provider", settings({ systemPrompt: "" }))).json();
    const versions = await runtime.database.db
      .select()
      .from(promptVersions)
      .where(eq(promptVersions.chatbotId, body.chatbotId));
    expect(versions).toEqual([expect.objectContaining({ version: 1, text: "", authorId: ws.admin.user.id })]);
    const [saved] = await runtime.database.db.select().from(chatbots).where(eq(chatbots.id, body.chatbotId));
    expect(saved?.currentPromptVersionId).toBe(versions[0]!.id);
  });

  it("keeps one credential per kind: switching back finds the key again", async () => {
    const { ws, admin } = await newWorkspace();
    await admin.put("/api/v1/settings/provider", settings());
    const gemini = await admin.put(
      "/api/v1/settings/provider",
      settings({ provider: "GEMINI", apiKey: GEMINI_KEY, model: "gemini-2.5-flash" }),
    );
    expect(await gemini.json()).toMatchObject({ provider: "GEMINI", apiKeyHint: "••••c3d4" });
    await admin.put(
      "/api/v1/settings/provider",
      settings({ provider: "OFFLINE", apiKey: undefined, model: "offline-faq" }),
    );

    // Back to OpenAI without a key: the stored one is used.
    const back = await admin.put("/api/v1/settings/provider", settings({ apiKey: undefined }));
    expect(back.status).toBe(200);
    const body = await back.json();
    expect(body).toMatchObject({ provider: "OPENAI", hasApiKey: true, apiKeyHint: "••••a1b2" });
    expect(body.credentials).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ provider: "OPENAI", hasApiKey: true, apiKeyHint: "••••a1b2" }),
        expect.objectContaining({ provider: "GEMINI", hasApiKey: true, apiKeyHint: "••••c3d4" }),
        expect.objectContaining({ provider: "OPENROUTER", hasApiKey: false, apiKeyHint: null }),
      ]),
    );
    const config = await loadProviderConfig(jobDeps(), ws.workspace.id, "GEMINI");
    expect(config).toMatchObject({ kind: "GEMINI", apiKey: GEMINI_KEY, baseUrl: `${sim.url}/llm/gemini` });
  });

  it("replaces a key with a new value and clears it with null or an empty string", async () => {
    const { ws, admin } = await newWorkspace();
    const compatible = { provider: "OPENAI_COMPATIBLE", baseUrl: "http://127.0.0.1:11434/v1/", model: "llama3.1:8b" };
    let body = await (
      await admin.put("/api/v1/settings/provider", settings({ ...compatible, apiKey: "ollama-key-9999" }))
    ).json();
    expect(body).toMatchObject({ hasApiKey: true, apiKeyHint: "••••9999", baseUrl: "http://127.0.0.1:11434/v1" });

    body = await (
      await admin.put("/api/v1/settings/provider", settings({ ...compatible, apiKey: "ollama-key-7777" }))
    ).json();
    expect(body.apiKeyHint).toBe("••••7777");

    body = await (await admin.put("/api/v1/settings/provider", settings({ ...compatible, apiKey: "" }))).json();
    expect(body).toMatchObject({ hasApiKey: false, apiKeyHint: null });
    expect((await credentialRow(ws.workspace.id, "OPENAI_COMPATIBLE"))?.apiKeyEncrypted).toBeNull();

    await admin.put("/api/v1/settings/provider", settings({ ...compatible, apiKey: "ollama-key-5555" }));
    body = await (await admin.put("/api/v1/settings/provider", settings({ ...compatible, apiKey: null }))).json();
    expect(body.hasApiKey).toBe(false);

    // A key is optional for an OpenAI-compatible server (Ollama needs none).
    expect(await loadProviderConfig(jobDeps(), ws.workspace.id, "OPENAI_COMPATIBLE")).toMatchObject({
      kind: "OPENAI_COMPATIBLE",
      apiKey: undefined,
      baseUrl: "http://127.0.0.1:11434/v1",
    });

    // A base URL given as "" is cleared — and an OpenAI-compatible server cannot do without one.
    const cleared = await admin.put(
      "/api/v1/settings/provider",
      settings({ ...compatible, apiKey: undefined, baseUrl: "" }),
    );
    expect(cleared.status).toBe(400);
    expect((await cleared.json()).error.code).toBe("base_url_required");
  });

  it("validates: key for hosted providers, base URL for OpenAI-compatible, ranges, model, URL", async () => {
    const { admin } = await newWorkspace();
    const put = async (body: Record<string, unknown>) => {
      const res = await admin.put("/api/v1/settings/provider", body);
      return { status: res.status, error: (await res.json()).error };
    };

    for (const provider of ["OPENAI", "GEMINI", "OPENROUTER"]) {
      const res = await put(settings({ provider, apiKey: undefined }));
      expect(res, provider).toMatchObject({ status: 400, error: { code: "api_key_required" } });
      expect(res.error.details[0].path).toBe("apiKey");
    }
    expect(await put(settings({ provider: "OPENAI", apiKey: "" }))).toMatchObject({
      status: 400,
      error: { code: "api_key_required" },
    });
    expect(await put(settings({ provider: "OPENAI_COMPATIBLE", apiKey: undefined }))).toMatchObject({
      status: 400,
      error: { code: "base_url_required", details: [{ path: "baseUrl" }] },
    });

    const invalid = async (overrides: Record<string, unknown>, path: string) => {
      const res = await put(settings(overrides));
      expect(res.status, JSON.stringify(overrides)).toBe(400);
      expect(res.error.code).toBe("invalid_input");
      expect(res.error.details.map((d: { path: string }) => d.path)).toContain(path);
    };
    await invalid({ temperature: 2.5 }, "temperature");
    await invalid({ temperature: -0.1 }, "temperature");
    await invalid({ maxTokens: 0 }, "maxTokens");
    await invalid({ maxTokens: 40_000 }, "maxTokens");
    await invalid({ maxTokens: 10.5 }, "maxTokens");
    await invalid({ model: "   " }, "model");
    await invalid({ provider: "ANTHROPIC" }, "provider");
    await invalid({ baseUrl: "ftp://example.com/v1" }, "baseUrl");
    await invalid({ baseUrl: "not a url" }, "baseUrl");

    // Free-text model names are fine; the bounds themselves are allowed.
    expect((await put(settings({ model: "my-fine-tune:v3", temperature: 2, maxTokens: 32_768 }))).status).toBe(200);
    expect((await put(settings({ apiKey: undefined, temperature: 0, maxTokens: 1 }))).status).toBe(200);
  });

  it("rejects unknown prompt variables with details listing them, and saves nothing", async () => {
    const { ws, admin } = await newWorkspace();
    const res = await admin.put(
      "/api/v1/settings/provider",
      settings({ systemPrompt: "Hi from {brand_name} {shop_url} and {discount_code} and {shop_url}" }),
    );
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("invalid_prompt_template");
    expect(error.message).toContain("{shop_url}");
    expect(error.details[0]).toMatchObject({ path: "systemPrompt", unknownVariables: ["shop_url", "discount_code"] });
    expect(await credentialRow(ws.workspace.id, "OPENAI")).toBeUndefined();
    expect(await runtime.database.db.select().from(chatbots).where(eq(chatbots.workspaceId, ws.workspace.id))).toEqual(
      [],
    );
  });

  it("audits every change with before and after, hints instead of keys", async () => {
    const { ws, admin } = await newWorkspace();
    await admin.put("/api/v1/settings/provider", settings());
    await admin.put(
      "/api/v1/settings/provider",
      settings({ provider: "GEMINI", apiKey: GEMINI_KEY, model: "gemini-2.5-pro", maxTokens: 900 }),
    );
    const rows = await runtime.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "provider.update")))
      .orderBy(auditLogs.createdAt, auditLogs.id);
    expect(rows).toHaveLength(2);
    const serialized = JSON.stringify(rows);
    expect(serialized).not.toContain(OPENAI_KEY);
    expect(serialized).not.toContain(GEMINI_KEY);
    expect(serialized).not.toContain("enc:v1:");

    expect(rows[0]).toMatchObject({ actorUserId: ws.admin.user.id, entityType: "chatbot", before: null });
    expect(rows[0]!.after).toMatchObject({
      provider: "OPENAI",
      model: "gpt-4o-mini",
      maxTokens: 600,
      chatbotCreated: true,
      credential: { kind: "OPENAI", keyHint: "••••a1b2", baseUrl: null },
    });
    expect(rows[1]!.before).toMatchObject({
      provider: "OPENAI",
      model: "gpt-4o-mini",
      maxTokens: 600,
      credential: null,
    });
    expect(rows[1]!.after).toMatchObject({
      provider: "GEMINI",
      model: "gemini-2.5-pro",
      maxTokens: 900,
      credential: { kind: "GEMINI", keyHint: "••••c3d4" },
    });
  });

  it("keeps workspaces apart", async () => {
    const mine = await newWorkspace();
    const theirs = await newWorkspace();
    await mine.admin.put("/api/v1/settings/provider", settings());

    const body = await (await theirs.admin.get("/api/v1/settings/provider")).json();
    expect(body).toMatchObject({ provider: "OFFLINE", chatbotId: null, hasApiKey: false });
    expect(body.credentials.every((c: { hasApiKey: boolean }) => !c.hasApiKey)).toBe(true);
    expect(await loadProviderConfig(jobDeps(), theirs.ws.workspace.id, "OPENAI")).toBeNull();

    // Their save with no key does not find mine.
    const res = await theirs.admin.put("/api/v1/settings/provider", settings({ apiKey: undefined }));
    expect((await res.json()).error.code).toBe("api_key_required");
  });
});

describe("roles", () => {
  it("lets OWNER and ADMIN manage the provider, and answers 403 to an AGENT", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    expect((await owner.put("/api/v1/settings/provider", settings())).status).toBe(200);
    expect((await owner.get("/api/v1/settings/provider")).status).toBe(200);

    const agent = await signedIn(ws.agent.user.email);
    const reads = await agent.get("/api/v1/settings/provider");
    expect(reads.status).toBe(403);
    expect((await reads.json()).error.code).toBe("forbidden");
    expect((await agent.put("/api/v1/settings/provider", settings({ provider: "OFFLINE" }))).status).toBe(403);
    expect((await agent.post("/api/v1/providers/test", { provider: "OFFLINE", model: "offline-faq" })).status).toBe(
      403,
    );
    const [bot] = await runtime.database.db.select().from(chatbots).where(eq(chatbots.workspaceId, ws.workspace.id));
    expect(bot?.providerKind).toBe("OPENAI");
  });
});

describe("loadProviderConfig", () => {
  it("decrypts the stored key and applies the base URL defaults", async () => {
    const { ws, admin } = await newWorkspace();
    expect(await loadProviderConfig(jobDeps(), ws.workspace.id, "OFFLINE")).toEqual({ kind: "OFFLINE" });
    expect(await loadProviderConfig(jobDeps(), ws.workspace.id, "OPENAI")).toBeNull();
    await admin.put("/api/v1/settings/provider", settings());
    expect(await loadProviderConfig(jobDeps(), ws.workspace.id, "OPENAI")).toMatchObject({
      kind: "OPENAI",
      apiKey: OPENAI_KEY,
      baseUrl: `${sim.url}/llm/openai`,
      appUrl: "http://localhost:3000",
      appName: "Tandem",
    });
    await admin.put(
      "/api/v1/settings/provider",
      // A stored key goes only to the base URL it was saved with: moving it means typing it again.
      settings({ apiKey: OPENAI_KEY, baseUrl: "https://proxy.example.com/v1" }),
    );
    expect(await loadProviderConfig(jobDeps(), ws.workspace.id, "OPENAI")).toMatchObject({
      apiKey: OPENAI_KEY,
      baseUrl: "https://proxy.example.com/v1",
    });
  });
});

describe("POST /api/v1/providers/test", () => {
  it("passes the offline provider without a network", async () => {
    const { admin } = await newWorkspace();
    const res = await admin.post("/api/v1/providers/test", { provider: "OFFLINE", model: "offline-faq" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, provider: "OFFLINE", model: "offline-faq" });
  });

  it("says what is missing when no key is stored or given", async () => {
    const { admin } = await newWorkspace();
    const res = await admin.post("/api/v1/providers/test", { provider: "OPENAI", model: "gpt-4o-mini" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: false, code: "provider_not_configured", retryable: false });
    const compatible = await admin.post("/api/v1/providers/test", { provider: "OPENAI_COMPATIBLE", model: "llama3" });
    expect(await compatible.json()).toMatchObject({ ok: false, code: "provider_not_configured" });
  });

  it("reports an unreachable base URL as provider_unavailable, naming the URL", async () => {
    const { admin } = await newWorkspace();
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const res = await admin.post("/api/v1/providers/test", { provider: "OPENAI_COMPATIBLE", baseUrl, model: "llama3" });
    expect(res.status).toBe(200);
    const verdict = await res.json();
    expect(verdict).toMatchObject({ ok: false, code: "provider_unavailable", retryable: true });
    expect(verdict.message).toContain(baseUrl);
  });

  it("gets an answer from an OpenAI-compatible server without a key (Ollama-style)", async () => {
    const { admin } = await newWorkspace();
    const seq = sim.simulator.llm.state.calls.at(-1)?.seq ?? 0;
    const res = await admin.post("/api/v1/providers/test", {
      provider: "OPENAI_COMPATIBLE",
      baseUrl: `${sim.url}/llm/openai/v1`,
      model: "llama3.3-70b-instruct",
    });
    const verdict = await res.json();
    expect(verdict).toMatchObject({ ok: true, provider: "OPENAI_COMPATIBLE", model: "llama3.3-70b-instruct" });
    expect(verdict.sample.length).toBeGreaterThan(0);
    expect(verdict.latencyMs).toBeGreaterThanOrEqual(0);
    expect(verdict.message).toContain("llama3.3-70b-instruct");
    const calls = sim.simulator.llm.state.calls.filter((c) => c.seq > seq);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ provider: "openai", path: "/v1/chat/completions", auth: { via: "none" } });
  });

  it("tests the stored key when none is given, and records the result on the credential", async () => {
    const { admin } = await newWorkspace();
    await admin.put("/api/v1/settings/provider", settings());
    const seq = sim.simulator.llm.state.calls.at(-1)?.seq ?? 0;
    const verdict = await (
      await admin.post("/api/v1/providers/test", { provider: "OPENAI", model: "gpt-4o-mini" })
    ).json();
    expect(verdict).toMatchObject({ ok: true, provider: "OPENAI", model: "gpt-4o-mini" });
    const [call] = sim.simulator.llm.state.calls.filter((c) => c.seq > seq);
    expect(call?.auth).toEqual({ via: "bearer", keySuffix: "a1b2" });

    const body = await (await admin.get("/api/v1/settings/provider")).json();
    const openai = body.credentials.find((c: { provider: string }) => c.provider === "OPENAI");
    expect(openai.lastTest).toMatchObject({ ok: true, code: null });

    // A key typed in for the test is used instead of the stored one, and the stored result is left alone.
    const typed = await admin.post("/api/v1/providers/test", {
      provider: "OPENAI",
      apiKey: "sk-typed-in-key-0000000000-zz99",
      model: "gpt-4o-mini",
    });
    expect((await typed.json()).ok).toBe(true);
    expect(sim.simulator.llm.state.calls.at(-1)?.auth.keySuffix).toBe("zz99");
  });

  it("answers an invalid key with provider_auth_failed, for OpenAI and Gemini", async () => {
    const { admin } = await newWorkspace();
    sim.simulator.llm.state.invalidKeys.add("sk-revoked-key-0000000000-dead");
    sim.simulator.llm.state.invalidKeys.add("AIza-revoked-key-00000000-beef");
    const openai = await admin.post("/api/v1/providers/test", {
      provider: "OPENAI",
      apiKey: "sk-revoked-key-0000000000-dead",
      model: "gpt-4o-mini",
    });
    expect(openai.status).toBe(200);
    const verdict = await openai.json();
    expect(verdict).toMatchObject({ ok: false, provider: "OPENAI", code: "provider_auth_failed", retryable: false });
    expect(verdict.message).toMatch(/rejected the API key/);
    expect(verdict.detail).toMatch(/401/);
    expect(JSON.stringify(verdict)).not.toContain("sk-revoked-key-0000000000-dead");

    const gemini = await admin.post("/api/v1/providers/test", {
      provider: "GEMINI",
      apiKey: "AIza-revoked-key-00000000-beef",
      model: "gemini-2.5-flash",
    });
    expect(await gemini.json()).toMatchObject({ ok: false, provider: "GEMINI", code: "provider_auth_failed" });
  });

  it("passes Gemini with a valid key", async () => {
    const { admin } = await newWorkspace();
    const res = await admin.post("/api/v1/providers/test", {
      provider: "GEMINI",
      apiKey: GEMINI_KEY,
      model: "gemini-2.5-flash",
    });
    expect(await res.json()).toMatchObject({ ok: true, provider: "GEMINI", model: "gemini-2.5-flash" });
  });

  it("reports quota and rate limits at once, without retrying", async () => {
    const { ws, admin } = await newWorkspace();
    await admin.put(
      "/api/v1/settings/provider",
      settings({ provider: "OPENROUTER", apiKey: "sk-or-quota-key-000000-q111", model: "openai/gpt-4o-mini" }),
    );
    const llm = sim.simulator.llm.state;
    llm.addFault({ kind: "quota_exhausted", key: "sk-or-quota-key-000000-q111" });
    const quota = await (
      await admin.post("/api/v1/providers/test", { provider: "OPENROUTER", model: "openai/gpt-4o-mini" })
    ).json();
    expect(quota).toMatchObject({ ok: false, code: "provider_quota_exhausted", retryable: false });
    expect(quota.message).toMatch(/quota|credit/);

    llm.addFault({ kind: "rate_limit", key: "sk-or-quota-key-000000-q111", retryAfterMs: 30_000 });
    const seq = llm.calls.at(-1)?.seq ?? 0;
    const started = Date.now();
    const limited = await (
      await admin.post("/api/v1/providers/test", { provider: "OPENROUTER", model: "openai/gpt-4o-mini" })
    ).json();
    expect(limited).toMatchObject({ ok: false, code: "provider_rate_limited", retryable: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(llm.calls.filter((c) => c.seq > seq)).toHaveLength(1);

    // The failed test of the stored credential is recorded too.
    const [row] = await runtime.database.db
      .select()
      .from(providerCredentials)
      .where(and(eq(providerCredentials.workspaceId, ws.workspace.id), eq(providerCredentials.kind, "OPENROUTER")));
    expect(row).toMatchObject({ lastTestStatus: "provider_rate_limited" });
  });
});

describe("GET|PUT /api/v1/settings/bot", () => {
  const behaviour = (overrides: Record<string, unknown> = {}) => ({
    promptVariables: {
      brandName: "Sunny Bakery",
      tone: "warm and brief",
      doList: ["Offer the daily special"],
      dontList: ["Promise delivery times"],
      policySnippets: ["Cakes ordered before noon are ready the next day."],
    },
    guardrails: {
      profanityFilter: true,
      profanityWords: { en: ["darn"] },
      maxConsecutiveBotReplies: 5,
      confidenceThreshold: 0.5,
      handoffOnRefusal: false,
      refusalPhrases: ["ask the baker"],
      humanRequestPhrases: ["medewerker"],
    },
    memory: { lastNMessages: 6, summarizeAfter: 20, maxPromptTokens: 4000 },
    ...overrides,
  });

  it("reads the defaults before anything is saved", async () => {
    const { admin } = await newWorkspace();
    const res = await admin.get("/api/v1/settings/bot");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      chatbotId: null,
      promptVariables: { brandName: "", doList: [] },
      guardrails: {
        profanityFilter: true,
        maxConsecutiveBotReplies: 3,
        confidenceThreshold: 0.35,
        humanRequestPhrases: [],
      },
      memory: { lastNMessages: 10, summarizeAfter: 10, maxPromptTokens: 3000 },
      builtInProfanityLanguages: expect.arrayContaining(["en", "th", "ja"]),
    });
  });

  it("saves them for the default chatbot, audited, and the next reply's prompt uses them", async () => {
    const { ws, admin } = await newWorkspace();
    const res = await admin.put("/api/v1/settings/bot", behaviour());
    expect(res.status).toBe(200);
    const saved = await res.json();
    expect(saved).toMatchObject({ chatbotId: expect.any(String), ...behaviour() });
    expect(await (await admin.get("/api/v1/settings/bot")).json()).toEqual(saved);
    const [bot] = await runtime.database.db.select().from(chatbots).where(eq(chatbots.id, saved.chatbotId));
    expect(bot).toMatchObject({ isDefault: true, promptVariables: { brandName: "Sunny Bakery" } });
    const audit = await runtime.database.db.select().from(auditLogs).where(eq(auditLogs.workspaceId, ws.workspace.id));
    expect(audit.map((a) => a.action)).toContain("chatbot.update");

    // The provider settings of the same chatbot: a prompt with the variables, the simulated OpenAI.
    await admin.put(
      "/api/v1/settings/provider",
      settings({ systemPrompt: "You speak for {brand_name}, {tone}. Do: {do_list}" }),
    );
    const conversation = await createConversation(runtime.database.db, {
      workspaceId: ws.workspace.id,
      chatbotId: saved.chatbotId,
    });
    await createMessage(runtime.database.db, {
      conversationId: conversation.id,
      role: "USER",
      text: "Any cakes today?",
    });
    sim.simulator.llm.state.calls.length = 0;
    const draft = await admin.post(`/api/v1/conversations/${conversation.id}/draft`);
    expect(draft.status).toBe(200);
    const sent = JSON.stringify(sim.simulator.llm.state.calls.at(-1)?.body);
    expect(sent).toContain("You speak for Sunny Bakery, warm and brief.");
    expect(sent).toContain("Offer the daily special");
  });

  it('keeps the handoff message: the built-in one (null), a custom one, or none ("")', async () => {
    const { admin } = await newWorkspace();
    const first = await (await admin.get("/api/v1/settings/bot")).json();
    expect(first.guardrails.handoffMessage).toBeNull();
    expect(first.defaultHandoffMessage).toMatch(/member of our team/);
    const withMessage = (handoffMessage: string | null) =>
      behaviour({ guardrails: { ...behaviour().guardrails, handoffMessage } });
    for (const value of ["  Someone from the bakery will reply shortly.  ", "", null]) {
      const saved = await (await admin.put("/api/v1/settings/bot", withMessage(value))).json();
      expect(saved.guardrails.handoffMessage).toBe(value === null ? null : value.trim());
      const [bot] = await runtime.database.db.select().from(chatbots).where(eq(chatbots.id, saved.chatbotId));
      // null is not stored: absent means the built-in message.
      expect("handoffMessage" in bot!.guardrails).toBe(value !== null);
    }
    const tooLong = await admin.put("/api/v1/settings/bot", withMessage("x".repeat(1001)));
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).error.details).toEqual([
      expect.objectContaining({ path: "guardrails.handoffMessage" }),
    ]);
  });

  it("refuses values out of range with the field, and keeps settings to owners and admins", async () => {
    const { ws, admin } = await newWorkspace();
    const bad = await admin.put(
      "/api/v1/settings/bot",
      behaviour({ memory: { lastNMessages: 0, summarizeAfter: 20, maxPromptTokens: 4000 } }),
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details).toEqual([expect.objectContaining({ path: "memory.lastNMessages" })]);
    const badLanguage = await admin.put(
      "/api/v1/settings/bot",
      behaviour({ guardrails: { ...behaviour().guardrails, profanityWords: { English: ["x"] } } }),
    );
    expect(badLanguage.status).toBe(400);
    expect((await admin.get("/api/v1/settings/bot").then((r) => r.json())).chatbotId).toBeNull();

    const agent = await signedIn(ws.agent.user.email);
    expect((await agent.get("/api/v1/settings/bot")).status).toBe(403);
    expect((await agent.put("/api/v1/settings/bot", behaviour())).status).toBe(403);
  });
});

describe("a stored key goes only to the base URL it was saved with", () => {
  it("testing another base URL asks for the key again and sends nothing", async () => {
    const { admin } = await newWorkspace();
    await admin.put("/api/v1/settings/provider", settings());
    const seq = sim.simulator.llm.state.calls.at(-1)?.seq ?? 0;
    // Another server than the saved one (the attacker's, say): the stored key must not go there.
    const res = await admin.post("/api/v1/providers/test", {
      provider: "OPENAI",
      baseUrl: `${sim.url}/llm/openrouter/api/v1`,
      model: "gpt-4o-mini",
    });
    expect(res.status).toBe(200);
    const verdict = await res.json();
    expect(verdict).toMatchObject({ ok: false, code: "api_key_required", retryable: false });
    expect(verdict.message).toMatch(/Type the API key again/);
    expect(sim.simulator.llm.state.calls.filter((c) => c.seq > seq)).toHaveLength(0);

    // The saved base URL, spelled out, is still the saved one: the stored key is used.
    const same = await admin.post("/api/v1/providers/test", {
      provider: "OPENAI",
      baseUrl: `${sim.url}/llm/openai/`,
      model: "gpt-4o-mini",
    });
    expect(await same.json()).toMatchObject({ ok: true });
    expect(sim.simulator.llm.state.calls.at(-1)?.auth).toEqual({ via: "bearer", keySuffix: "a1b2" });
  });

  it("an OpenAI-compatible server at another base URL is tested without the stored key", async () => {
    const { admin } = await newWorkspace();
    const saved = await admin.put(
      "/api/v1/settings/provider",
      settings({
        provider: "OPENAI_COMPATIBLE",
        apiKey: "do-genai-key-00000000-k9k9",
        baseUrl: `${sim.url}/llm/openai/v1`,
        model: "llama3",
      }),
    );
    expect(saved.status).toBe(200);
    const res = await admin.post("/api/v1/providers/test", {
      provider: "OPENAI_COMPATIBLE",
      baseUrl: `${sim.url}/llm/openai`,
      model: "llama3",
    });
    expect((await res.json()).ok).toBe(true);
    expect(sim.simulator.llm.state.calls.at(-1)?.auth).toEqual({ via: "none" });
  });

  it("saving another base URL without typing the key again is refused, and changes nothing", async () => {
    const { ws, admin } = await newWorkspace();
    await admin.put(
      "/api/v1/settings/provider",
      settings({
        provider: "OPENAI_COMPATIBLE",
        apiKey: "do-genai-key-00000000-k9k9",
        baseUrl: `${sim.url}/llm/openai/v1`,
      }),
    );
    const moved = await admin.put(
      "/api/v1/settings/provider",
      settings({ provider: "OPENAI_COMPATIBLE", apiKey: undefined, baseUrl: "https://collector.example/v1" }),
    );
    expect(moved.status).toBe(400);
    expect((await moved.json()).error).toMatchObject({
      code: "api_key_required",
      details: [expect.objectContaining({ path: "apiKey" })],
    });
    expect(await credentialRow(ws.workspace.id, "OPENAI_COMPATIBLE")).toMatchObject({
      baseUrl: `${sim.url}/llm/openai/v1`,
    });

    // With the key typed again, or cleared, the base URL may change.
    const retyped = await admin.put(
      "/api/v1/settings/provider",
      settings({
        provider: "OPENAI_COMPATIBLE",
        apiKey: "do-genai-key-00000000-k9k9",
        baseUrl: `${sim.url}/llm/openrouter/api/v1`,
      }),
    );
    expect(retyped.status).toBe(200);
    const cleared = await admin.put(
      "/api/v1/settings/provider",
      settings({ provider: "OPENAI_COMPATIBLE", apiKey: null, baseUrl: `${sim.url}/llm/openai/v1` }),
    );
    expect(cleared.status).toBe(200);
    expect(await credentialRow(ws.workspace.id, "OPENAI_COMPATIBLE")).toMatchObject({ apiKeyEncrypted: null });
  });

  it("a failed test never echoes what the server answered, only a short reason", async () => {
    // A server that reflects the request it got, headers included, in its error body.
    const echo = createHttpServer((req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: `you sent ${JSON.stringify(req.headers)}` } }));
    });
    await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
    try {
      const { admin } = await newWorkspace();
      const port = (echo.address() as { port: number }).port;
      const res = await admin.post("/api/v1/providers/test", {
        provider: "OPENAI_COMPATIBLE",
        apiKey: "typed-key-000000000-e1e1",
        baseUrl: `http://127.0.0.1:${port}/v1`,
        model: "llama3",
      });
      const verdict = await res.json();
      expect(verdict).toMatchObject({ ok: false, code: "provider_bad_request", detail: "HTTP 400" });
      const text = JSON.stringify(verdict);
      expect(text).not.toContain("you sent");
      expect(text).not.toContain("typed-key-000000000-e1e1");
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});

describe("base URLs on a private network (OUTBOUND_ALLOW_PRIVATE unset)", () => {
  let guarded: Runtime;
  let guardedApp: ReturnType<typeof createApp>;
  let inside: ReturnType<typeof createHttpServer>;
  let insideUrl: string;
  let insideHits = 0;

  beforeAll(async () => {
    guarded = await createTestRuntime({ OUTBOUND_ALLOW_PRIVATE: "0", SIMULATOR: "0" });
    guardedApp = createApp(guarded);
    // Something on this server's own network that a typed-in URL must not reach.
    inside = createHttpServer((_req, res) => {
      insideHits++;
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
    await new Promise<void>((resolve) => inside.listen(0, "127.0.0.1", resolve));
    insideUrl = `http://127.0.0.1:${(inside.address() as { port: number }).port}/v1`;
  });
  afterAll(async () => {
    await guarded.close();
    await new Promise((resolve) => inside.close(resolve));
  });

  async function guardedAdmin() {
    const ws = await createSignInWorkspace(guarded);
    const client = new TestClient(guardedApp);
    expect((await client.signIn(ws.admin.user.email, TEST_PASSWORD)).status).toBe(200);
    return { ws, admin: client };
  }

  it("refuses to save or test them, and nothing reaches the address", async () => {
    const { ws, admin } = await guardedAdmin();
    insideHits = 0;
    for (const baseUrl of [insideUrl, "http://169.254.169.254/latest/meta-data", "http://localhost:11434/v1"]) {
      const saved = await admin.put(
        "/api/v1/settings/provider",
        settings({ provider: "OPENAI_COMPATIBLE", apiKey: null, baseUrl, model: "llama3" }),
      );
      expect(saved.status, baseUrl).toBe(400);
      expect((await saved.json()).error).toMatchObject({
        code: "url_not_allowed",
        details: [expect.objectContaining({ path: "baseUrl" })],
      });
    }
    expect(await credentialRow(ws.workspace.id, "OPENAI_COMPATIBLE")).toBeUndefined();

    const verdict = await (
      await admin.post("/api/v1/providers/test", { provider: "OPENAI_COMPATIBLE", baseUrl: insideUrl, model: "x" })
    ).json();
    expect(verdict).toMatchObject({ ok: false, code: "url_not_allowed", retryable: false });
    expect(verdict.message).toMatch(/OUTBOUND_ALLOW_PRIVATE/);
    expect(insideHits).toBe(0);
  });

  it("a private URL already stored (or a name that now resolves inside) is refused when a reply is written", async () => {
    const { ws } = await guardedAdmin();
    await guarded.database.db.insert(providerCredentials).values({
      workspaceId: ws.workspace.id,
      kind: "OPENAI_COMPATIBLE",
      baseUrl: insideUrl.replace("127.0.0.1", "localhost"),
    });
    insideHits = 0;
    const config = await loadProviderConfig(
      { db: guarded.database.db, keyring: guarded.keyring, config: guarded.config },
      ws.workspace.id,
      "OPENAI_COMPATIBLE",
    );
    const provider = createProvider(config!, { retry: { maxRetries: 0 } });
    await expect(
      provider.generate({ model: "llama3", messages: [{ role: "user", content: "hi" }], maxTokens: 8, temperature: 0 }),
    ).rejects.toMatchObject({ code: "provider_bad_request", retryable: false });
    expect(insideHits).toBe(0);
  });

  it("the operator's allow-list lets a named server through", async () => {
    const allowing = await createTestRuntime({ OUTBOUND_ALLOW_PRIVATE: "127.0.0.1", SIMULATOR: "0" });
    try {
      const ws = await createSignInWorkspace(allowing);
      const client = new TestClient(createApp(allowing));
      expect((await client.signIn(ws.admin.user.email, TEST_PASSWORD)).status).toBe(200);
      const saved = await client.put(
        "/api/v1/settings/provider",
        settings({ provider: "OPENAI_COMPATIBLE", apiKey: null, baseUrl: insideUrl, model: "llama3" }),
      );
      expect(saved.status).toBe(200);
    } finally {
      await allowing.close();
    }
  });
});
