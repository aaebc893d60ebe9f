/**
 * Named provider credentials (`/api/v1/providers/credentials`): several per workspace and kind, keys
 * encrypted and read back as hints, validation naming the field, 409 on a taken name and while a
 * chatbot uses one, roles and workspace isolation, the audit trail, and the connection test against
 * the simulator's fake LLM over real HTTP.
 */
import type { Runtime } from "@tandem/core";
import { auditLogs, providerCredentials } from "@tandem/db";
import { createChatbot } from "@tandem/db/testing";
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
  runtime = await createTestRuntime({ OPENAI_BASE_URL: `${sim.url}/llm/openai` });
  app = createApp(runtime);
});
afterAll(async () => {
  await runtime.close();
  await sim.close();
});

const db = () => runtime.database.db;
const KEY_PROD = "sk-prod-0123456789abcdef-PR0D";
const KEY_DEV = "sk-dev-0123456789abcdef-DEV1";

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function setup() {
  const ws = await createSignInWorkspace(runtime);
  const other = await createSignInWorkspace(runtime);
  return {
    ws,
    owner: await signedIn(ws.owner.user.email),
    admin: await signedIn(ws.admin.user.email),
    agent: await signedIn(ws.agent.user.email),
    stranger: await signedIn(other.admin.user.email),
  };
}

const rowsOf = (workspaceId: string) =>
  db().select().from(providerCredentials).where(eq(providerCredentials.workspaceId, workspaceId));

describe("/api/v1/providers/credentials", () => {
  it("holds several named keys of one kind, encrypted, read back as hints; a chatbot names one", async () => {
    const { ws, owner, admin } = await setup();
    const prod = await owner.post("/api/v1/providers/credentials", {
      name: "OpenAI prod",
      kind: "OPENAI",
      apiKey: KEY_PROD,
      defaultModel: "gpt-4o-mini",
    });
    expect(prod.status).toBe(201);
    const created = await prod.json();
    expect(created).toMatchObject({
      name: "OpenAI prod",
      kind: "OPENAI",
      hasApiKey: true,
      apiKeyHint: expect.stringMatching(/PR0D$/),
      defaultModel: "gpt-4o-mini",
      usedBy: [],
    });
    expect(JSON.stringify(created)).not.toContain(KEY_PROD);
    const dev = await admin.post("/api/v1/providers/credentials", {
      name: "OpenAI dev",
      kind: "OPENAI",
      apiKey: KEY_DEV,
    });
    expect(dev.status).toBe(201);
    const ollama = await admin.post("/api/v1/providers/credentials", {
      name: "Ollama local",
      kind: "OPENAI_COMPATIBLE",
      baseUrl: "http://127.0.0.1:11434/v1/",
    });
    expect(await ollama.json()).toMatchObject({ hasApiKey: false, baseUrl: "http://127.0.0.1:11434/v1" });

    const rows = await rowsOf(ws.workspace.id);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(JSON.stringify(row)).not.toContain(KEY_PROD.slice(0, 12));
    expect(runtime.keyring.decrypt(rows.find((r) => r.name === "OpenAI prod")!.apiKeyEncrypted!)).toBe(KEY_PROD);

    const bot = await (await admin.post("/api/v1/chatbots", { name: "Uses prod", credentialId: created.id })).json();
    expect(bot).toMatchObject({ provider: "OPENAI", model: "gpt-4o-mini", credential: { name: "OpenAI prod" } });
    const list = await (await admin.get("/api/v1/providers/credentials")).json();
    expect(list.data.map((c: { name: string }) => c.name)).toEqual(["OpenAI prod", "OpenAI dev", "Ollama local"]);
    expect(list.data[0].usedBy).toEqual([{ id: bot.id, name: "Uses prod" }]);
    expect(JSON.stringify(list)).not.toContain(KEY_PROD);
    expect(JSON.stringify(list)).not.toContain(KEY_DEV);

    const audits = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "provider_credential.create")));
    expect(audits).toHaveLength(3);
    expect(JSON.stringify(audits)).not.toContain(KEY_PROD);
  });

  it("400 naming the field: missing key, missing base URL, unknown kind, bad URL; nothing stored", async () => {
    const { ws, admin } = await setup();
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "No key", kind: "GEMINI" }, "apiKey"],
      [{ name: "No URL", kind: "OPENAI_COMPATIBLE" }, "baseUrl"],
      [{ name: "Odd", kind: "ANTHROPIC", apiKey: "x" }, "kind"],
      [{ name: "Bad URL", kind: "OPENAI_COMPATIBLE", baseUrl: "ftp://example.com" }, "baseUrl"],
      [{ name: "", kind: "OPENAI", apiKey: "sk-1" }, "name"],
    ];
    for (const [body, field] of cases) {
      const res = await admin.post("/api/v1/providers/credentials", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = (await res.json()).error;
      expect(error.details.map((d: { path: string }) => d.path)).toContain(field);
    }
    expect(await rowsOf(ws.workspace.id)).toHaveLength(0);
  });

  it("409 on a name already used; renames and key changes are audited with hints only", async () => {
    const { ws, admin } = await setup();
    const a = await (
      await admin.post("/api/v1/providers/credentials", { name: "Main", kind: "OPENAI", apiKey: KEY_PROD })
    ).json();
    const taken = await admin.post("/api/v1/providers/credentials", { name: "Main", kind: "GEMINI", apiKey: "AIza-1" });
    expect(taken.status).toBe(409);
    expect((await taken.json()).error.code).toBe("credential_name_taken");
    await admin.post("/api/v1/providers/credentials", { name: "Other", kind: "OPENAI", apiKey: KEY_DEV });
    const clash = await admin.patch(`/api/v1/providers/credentials/${a.id}`, { name: "Other" });
    expect(clash.status).toBe(409);

    const renamed = await admin.patch(`/api/v1/providers/credentials/${a.id}`, {
      name: "Main (rotated)",
      apiKey: KEY_DEV,
    });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toMatchObject({ name: "Main (rotated)", apiKeyHint: expect.stringMatching(/DEV1$/) });
    // The kind needs a key: it cannot be cleared. Moving the base URL needs the key again.
    expect((await admin.patch(`/api/v1/providers/credentials/${a.id}`, { apiKey: null })).status).toBe(400);
    const move = await admin.patch(`/api/v1/providers/credentials/${a.id}`, { baseUrl: "https://proxy.example/v1" });
    expect(move.status).toBe(400);
    expect((await move.json()).error.code).toBe("api_key_required");
    const [audit] = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "provider_credential.update")));
    expect(audit!.before).toMatchObject({ name: "Main" });
    expect(audit!.after).toMatchObject({ name: "Main (rotated)" });
    expect(JSON.stringify(audit)).not.toContain(KEY_DEV);
  });

  it("DELETE is refused (409, naming the chatbots) while a chatbot uses it; then removes it", async () => {
    const { ws, admin } = await setup();
    const credential = await (
      await admin.post("/api/v1/providers/credentials", { name: "In use", kind: "OPENAI", apiKey: KEY_PROD })
    ).json();
    const bot = await createChatbot(db(), { workspaceId: ws.workspace.id, name: "Loyal", credentialId: credential.id });
    const refused = await admin.delete(`/api/v1/providers/credentials/${credential.id}`);
    expect(refused.status).toBe(409);
    const body = await refused.json();
    expect(body.error.code).toBe("credential_in_use");
    expect(body.error.message).toContain("Loyal");
    expect(body.error.details.chatbots).toEqual([{ id: bot.id, name: "Loyal" }]);
    expect(await rowsOf(ws.workspace.id)).toHaveLength(1);

    await admin.patch(`/api/v1/chatbots/${bot.id}`, { credentialId: null });
    expect((await admin.delete(`/api/v1/providers/credentials/${credential.id}`)).status).toBe(204);
    expect(await rowsOf(ws.workspace.id)).toHaveLength(0);
    expect((await admin.delete(`/api/v1/providers/credentials/${credential.id}`)).status).toBe(404);
  });

  it("an AGENT gets 403 on every route; another workspace's credential is a 404", async () => {
    const { ws, admin, agent, stranger } = await setup();
    const credential = await (
      await admin.post("/api/v1/providers/credentials", { name: "Private", kind: "OPENAI", apiKey: KEY_PROD })
    ).json();
    const url = `/api/v1/providers/credentials/${credential.id}`;
    expect((await agent.get("/api/v1/providers/credentials")).status).toBe(403);
    expect((await agent.post("/api/v1/providers/credentials", { name: "x", kind: "OPENAI", apiKey: "k" })).status).toBe(
      403,
    );
    expect((await agent.patch(url, { name: "Mine" })).status).toBe(403);
    expect((await agent.delete(url)).status).toBe(403);
    expect((await agent.post(`${url}/test`, {})).status).toBe(403);

    expect((await (await stranger.get("/api/v1/providers/credentials")).json()).data).toEqual([]);
    expect((await stranger.patch(url, { name: "Mine" })).status).toBe(404);
    expect((await stranger.delete(url)).status).toBe(404);
    expect((await stranger.post(`${url}/test`, {})).status).toBe(404);
    expect((await rowsOf(ws.workspace.id))[0]).toMatchObject({ name: "Private" });
  });

  it("tests a named credential against the simulator's OpenAI and records the verdict on it", async () => {
    const { admin } = await setup();
    const good = await (
      await admin.post("/api/v1/providers/credentials", { name: "Good", kind: "OPENAI", apiKey: KEY_PROD })
    ).json();
    const res = await admin.post(`/api/v1/providers/credentials/${good.id}/test`, { model: "gpt-4o-mini" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, provider: "OPENAI" });
    const call = sim.simulator.llm.state.calls.at(-1)!;
    expect(call.auth.keySuffix).toBe(KEY_PROD.slice(-4));
    const listed = (await (await admin.get("/api/v1/providers/credentials")).json()).data[0];
    expect(listed.lastTest).toMatchObject({ ok: true, code: null });

    sim.simulator.llm.state.invalidKeys.add(KEY_DEV);
    const bad = await (
      await admin.post("/api/v1/providers/credentials", { name: "Revoked", kind: "OPENAI", apiKey: KEY_DEV })
    ).json();
    const verdict = await (await admin.post(`/api/v1/providers/credentials/${bad.id}/test`, {})).json();
    expect(verdict).toMatchObject({ ok: false, code: "provider_auth_failed" });
  });

  it("/settings/provider keeps editing the workspace's credential of a kind beside named ones", async () => {
    const { ws, admin } = await setup();
    // A named credential takes the name the settings page would give: the settings save picks another.
    await admin.post("/api/v1/providers/credentials", {
      name: "OpenAI",
      kind: "OPENAI_COMPATIBLE",
      baseUrl: "http://127.0.0.1:1/v1",
    });
    const res = await admin.put("/api/v1/settings/provider", {
      provider: "OPENAI",
      apiKey: KEY_PROD,
      model: "gpt-4o-mini",
      temperature: 0.3,
      maxTokens: 300,
      systemPrompt: "",
    });
    expect(res.status).toBe(200);
    const names = (await rowsOf(ws.workspace.id)).map((r) => r.name).sort();
    expect(names).toEqual(["OpenAI", "OpenAI (2)"]);
  });

  it("with several credentials of a kind, /settings/provider shows and edits the oldest", async () => {
    const { ws, admin } = await setup();
    await admin.post("/api/v1/providers/credentials", { name: "First", kind: "OPENAI", apiKey: KEY_PROD });
    await admin.post("/api/v1/providers/credentials", { name: "Second", kind: "OPENAI", apiKey: KEY_DEV });
    const settings = await (await admin.get("/api/v1/settings/provider")).json();
    const openai = settings.credentials.find((c: { provider: string }) => c.provider === "OPENAI");
    expect(openai.apiKeyHint).toMatch(/PR0D$/);
    const saved = await admin.put("/api/v1/settings/provider", {
      provider: "OPENAI",
      apiKey: "sk-rotated-0123456789abcdef-R0T8",
      model: "gpt-4o-mini",
      temperature: 0.3,
      maxTokens: 300,
      systemPrompt: "",
    });
    expect(saved.status).toBe(200);
    const rows = await rowsOf(ws.workspace.id);
    expect(rows.find((r) => r.name === "First")!.keyHint).toMatch(/R0T8$/);
    expect(rows.find((r) => r.name === "Second")!.keyHint).toMatch(/DEV1$/);
  });

  it("saving /settings/provider with another kind drops the default chatbot's named credential of the old kind", async () => {
    const { admin } = await setup();
    const gemini = await (
      await admin.post("/api/v1/providers/credentials", {
        name: "Gemini",
        kind: "GEMINI",
        apiKey: "AIza-gemini-0123-GEMI",
      })
    ).json();
    const bot = await (await admin.post("/api/v1/chatbots", { name: "Default", credentialId: gemini.id })).json();
    expect(bot).toMatchObject({ isDefault: true, provider: "GEMINI" });
    const saved = await admin.put("/api/v1/settings/provider", {
      provider: "OPENAI",
      apiKey: KEY_PROD,
      model: "gpt-4o-mini",
      temperature: 0.3,
      maxTokens: 300,
      systemPrompt: "",
    });
    expect(saved.status).toBe(200);
    const after = await (await admin.get(`/api/v1/chatbots/${bot.id}`)).json();
    expect(after).toMatchObject({ provider: "OPENAI", credential: null, model: "gpt-4o-mini" });
  });
});
