/**
 * Prompt versions through the API: the live prompt and its ETag, saves with If-Match (stale → 409,
 * concurrent → one wins), history pages, one version's text, rollback, applying an AI draft from a
 * generation job, roles, other workspaces, the audit trail, and the version each bot message names.
 */
import { appJobDeps, DEMO_FAQ, generateBotReply, type Runtime, silentLogger } from "@tandem/core";
import { auditLogs, chatbots, promptGenerationJobs, promptVersions, providerCredentials } from "@tandem/db";
import { createChatbot, createConversation, createMessage, type TestWorkspace } from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { attachTestQueue, createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let served: ServedSimulator;

beforeAll(async () => {
  served = await serveSimulator();
  runtime = await createTestRuntime();
  // Producer only: "reply as bot" enqueues its send, which stays in the `job` table.
  attachTestQueue(runtime);
  app = createApp(runtime);
});
afterAll(async () => {
  await runtime.close();
  await served.close();
});

const db = () => runtime.database.db;

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

interface Setup {
  ws: TestWorkspace;
  owner: TestClient;
  admin: TestClient;
  agent: TestClient;
  chatbotId: string;
  url: string;
  /** The ETag after version 1 was saved. */
  etag: string;
}

/** A workspace with its three roles signed in and a chatbot whose prompt is at version 1 (saved by the owner). */
async function setup(text = "You are {brand_name}'s assistant. {knowledge}"): Promise<Setup> {
  const ws = await createSignInWorkspace(runtime);
  const [owner, admin, agent] = await Promise.all([
    signedIn(ws.owner.user.email),
    signedIn(ws.admin.user.email),
    signedIn(ws.agent.user.email),
  ]);
  const chatbot = await createChatbot(db(), {
    workspaceId: ws.workspace.id,
    isDefault: true,
    providerKind: "OFFLINE",
    model: "offline-faq",
    faqEntries: DEMO_FAQ,
  });
  const url = `/api/v1/chatbots/${chatbot.id}/prompt`;
  const first = await putPrompt(owner, url, { text }, '"none"');
  expect(first.status).toBe(201);
  return { ws, owner, admin, agent, chatbotId: chatbot.id, url, etag: first.headers.get("etag")! };
}

const putPrompt = (client: TestClient, url: string, body: unknown, ifMatch?: string) =>
  client.request("PUT", url, body, ifMatch === undefined ? {} : { "if-match": ifMatch });

const rollback = (client: TestClient, url: string, body: unknown, ifMatch?: string) =>
  client.request("POST", `${url}/rollback`, body, ifMatch === undefined ? {} : { "if-match": ifMatch });

const versionsOf = (chatbotId: string) =>
  db()
    .select()
    .from(promptVersions)
    .where(eq(promptVersions.chatbotId, chatbotId))
    .orderBy(asc(promptVersions.version));

async function chatbotRow(id: string) {
  const [row] = await db().select().from(chatbots).where(eq(chatbots.id, id));
  return row!;
}

const promptAudit = (workspaceId: string) =>
  db()
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.workspaceId, workspaceId), eq(auditLogs.entityType, "chatbot")))
    .orderBy(asc(auditLogs.createdAt), asc(auditLogs.id));

/** Saves `count` more versions ("Version 2", "Version 3", …) as the owner; returns the last ETag. */
async function saveVersions(s: Setup, count: number): Promise<string> {
  let etag = s.etag;
  for (let n = 2; n < 2 + count; n++) {
    const res = await putPrompt(s.owner, s.url, { text: `Version ${n}. {knowledge}`, note: `note ${n}` }, etag);
    expect(res.status).toBe(201);
    etag = res.headers.get("etag")!;
  }
  return etag;
}

describe("GET /api/v1/chatbots/{id}/prompt", () => {
  it("every role reads the live version with its ETag, author and the variables it may use", async () => {
    const s = await setup();
    const [live] = await versionsOf(s.chatbotId);
    for (const client of [s.owner, s.admin, s.agent]) {
      const res = await client.get(s.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("etag")).toBe(`"${live!.id}"`);
      const body = await res.json();
      expect(body).toMatchObject({
        versionId: live!.id,
        version: 1,
        text: "You are {brand_name}'s assistant. {knowledge}",
        method: "manual",
        author: { id: s.ws.owner.user.id, name: s.ws.owner.user.name },
        note: null,
      });
      expect(body.variables).toEqual(expect.arrayContaining(["brand_name", "knowledge", "last_n_messages"]));
      expect(body.defaultTemplate).toContain("{brand_name}");
      expect(new Date(body.createdAt).getTime()).toBe(live!.createdAt.getTime());
    }
  });

  it('a chatbot that never had a version shows its stored text with the ETag "none"', async () => {
    const ws = await createSignInWorkspace(runtime);
    const admin = await signedIn(ws.admin.user.email);
    const chatbot = await createChatbot(db(), { workspaceId: ws.workspace.id, systemPrompt: "Legacy {tone}" });
    const res = await admin.get(`/api/v1/chatbots/${chatbot.id}/prompt`);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe('"none"');
    expect(await res.json()).toMatchObject({ versionId: null, version: null, text: "Legacy {tone}", method: null });
  });

  it("another workspace's chatbot, a deleted one and an unknown id are 404 chatbot_not_found", async () => {
    const s = await setup();
    const other = await setup();
    const deleted = await createChatbot(db(), { workspaceId: s.ws.workspace.id, deletedAt: new Date() });
    for (const path of [
      other.url,
      `/api/v1/chatbots/${deleted.id}/prompt`,
      "/api/v1/chatbots/chatbot_nope/prompt",
      `${other.url}/history`,
    ]) {
      const res = await s.owner.get(path);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("chatbot_not_found");
    }
  });
});

describe("PUT /api/v1/chatbots/{id}/prompt", () => {
  it("OWNER and ADMIN save immutable versions that go live at once, each audited", async () => {
    const s = await setup();
    const res = await putPrompt(s.admin, s.url, { text: "Be brief, {tone}.", note: "shorter" }, s.etag);
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({
      version: 2,
      text: "Be brief, {tone}.",
      method: "manual",
      note: "shorter",
      author: { id: s.ws.admin.user.id, name: s.ws.admin.user.name },
    });
    expect(res.headers.get("etag")).toBe(`"${body.versionId}"`);

    const third = await putPrompt(s.owner, s.url, { text: "Be very brief." }, res.headers.get("etag")!);
    expect(third.status).toBe(201);
    const versions = await versionsOf(s.chatbotId);
    expect(versions.map((v) => [v.version, v.text, v.method, v.authorId])).toEqual([
      [1, "You are {brand_name}'s assistant. {knowledge}", "manual", s.ws.owner.user.id],
      [2, "Be brief, {tone}.", "manual", s.ws.admin.user.id],
      [3, "Be very brief.", "manual", s.ws.owner.user.id],
    ]);
    // What the bot answers with moves with the live version.
    expect(await chatbotRow(s.chatbotId)).toMatchObject({
      systemPrompt: "Be very brief.",
      currentPromptVersionId: versions[2]!.id,
    });
    const audit = (await promptAudit(s.ws.workspace.id)).filter((a) => a.action === "prompt.update");
    expect(audit).toHaveLength(3);
    expect(audit[1]).toMatchObject({
      actorUserId: s.ws.admin.user.id,
      entityId: s.chatbotId,
      before: { versionId: versions[0]!.id, version: 1 },
      after: { versionId: versions[1]!.id, version: 2, method: "manual", note: "shorter", text: "Be brief, {tone}." },
    });
  });

  it("an AGENT gets 403 and nothing changes", async () => {
    const s = await setup();
    const res = await putPrompt(s.agent, s.url, { text: "Agents write this" }, s.etag);
    expect(res.status).toBe(403);
    expect(await versionsOf(s.chatbotId)).toHaveLength(1);
    const roll = await rollback(s.agent, s.url, { versionId: (await versionsOf(s.chatbotId))[0]!.id }, "*");
    expect(roll.status).toBe(403);
    expect(await versionsOf(s.chatbotId)).toHaveLength(1);
  });

  it("without If-Match: 428 if_match_required; If-Match * replaces whatever is live; weak ETags match", async () => {
    const s = await setup();
    const missing = await putPrompt(s.owner, s.url, { text: "No precondition" });
    expect(missing.status).toBe(428);
    expect((await missing.json()).error).toMatchObject({ code: "if_match_required" });
    expect(await versionsOf(s.chatbotId)).toHaveLength(1);

    const star = await putPrompt(s.owner, s.url, { text: "Overwrite on purpose" }, "*");
    expect(star.status).toBe(201);
    const weak = await putPrompt(s.owner, s.url, { text: "From a weak tag" }, `W/${star.headers.get("etag")}`);
    expect(weak.status).toBe(201);
    expect((await versionsOf(s.chatbotId)).map((v) => v.text)).toEqual([
      "You are {brand_name}'s assistant. {knowledge}",
      "Overwrite on purpose",
      "From a weak tag",
    ]);
  });

  it("a stale If-Match is 409 prompt_version_conflict carrying the live version, and changes nothing", async () => {
    const s = await setup();
    const saved = await putPrompt(s.admin, s.url, { text: "The admin saved first" }, s.etag);
    expect(saved.status).toBe(201);
    const live = await saved.json();

    const stale = await putPrompt(s.owner, s.url, { text: "The owner's edit of version 1" }, s.etag);
    expect(stale.status).toBe(409);
    const error = (await stale.json()).error;
    expect(error.code).toBe("prompt_version_conflict");
    expect(error.details.current).toMatchObject({
      versionId: live.versionId,
      version: 2,
      text: "The admin saved first",
      author: { id: s.ws.admin.user.id },
    });
    expect((await versionsOf(s.chatbotId)).map((v) => v.text)).toEqual([
      "You are {brand_name}'s assistant. {knowledge}",
      "The admin saved first",
    ]);
    expect(await chatbotRow(s.chatbotId)).toMatchObject({ systemPrompt: "The admin saved first" });
  });

  it("concurrent saves from the same version: exactly one wins, the others get 409", async () => {
    const s = await setup();
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) => putPrompt(n % 2 ? s.owner : s.admin, s.url, { text: `Racer ${n}` }, s.etag)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 409, 409, 409]);
    const winner = await results.find((r) => r.status === 201)!.json();
    const versions = await versionsOf(s.chatbotId);
    expect(versions).toHaveLength(2);
    expect(versions[1]).toMatchObject({ id: winner.versionId, version: 2, text: winner.text });
    for (const loser of results.filter((r) => r.status === 409)) {
      expect((await loser.json()).error.details.current.versionId).toBe(winner.versionId);
    }
  });

  it("saving the live text again adds no version: 200 with the live one", async () => {
    const s = await setup();
    const before = await promptAudit(s.ws.workspace.id);
    const res = await putPrompt(s.owner, s.url, { text: "You are {brand_name}'s assistant. {knowledge}" }, s.etag);
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toBe(s.etag);
    expect(await res.json()).toMatchObject({ version: 1 });
    expect(await versionsOf(s.chatbotId)).toHaveLength(1);
    expect(await promptAudit(s.ws.workspace.id)).toHaveLength(before.length);
  });

  it("bad input is 400 with the field, and changes nothing", async () => {
    const s = await setup();
    const unknown = await putPrompt(s.owner, s.url, { text: "Hi {brand_name}, use {shop_url} and {coupon}" }, s.etag);
    expect(unknown.status).toBe(400);
    const error = (await unknown.json()).error;
    expect(error.code).toBe("invalid_prompt_template");
    expect(error.details[0]).toMatchObject({ path: "text", unknownVariables: ["shop_url", "coupon"] });

    const tooLong = await putPrompt(s.owner, s.url, { text: "x".repeat(20_001) }, s.etag);
    expect(tooLong.status).toBe(400);
    expect((await tooLong.json()).error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "text" })]),
    );
    const noText = await putPrompt(s.owner, s.url, { note: "forgot the text" }, s.etag);
    expect(noText.status).toBe(400);
    const longNote = await putPrompt(s.owner, s.url, { text: "ok", note: "n".repeat(501) }, s.etag);
    expect(longNote.status).toBe(400);
    expect((await longNote.json()).error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: "note" })]),
    );
    expect(await versionsOf(s.chatbotId)).toHaveLength(1);
  });

  it("another workspace's chatbot is 404 for a save and a rollback, whatever the If-Match", async () => {
    const s = await setup();
    const other = await setup();
    const res = await putPrompt(s.owner, other.url, { text: "Not mine" }, "*");
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("chatbot_not_found");
    const [theirs] = await versionsOf(other.chatbotId);
    const roll = await rollback(s.owner, other.url, { versionId: theirs!.id }, "*");
    expect(roll.status).toBe(404);
    expect((await roll.json()).error.code).toBe("chatbot_not_found");
    expect(await versionsOf(other.chatbotId)).toHaveLength(1);
  });
});

describe("PUT /api/v1/chatbots/{id}/prompt with generationJobId (applying an AI draft)", () => {
  async function job(
    s: { ws: TestWorkspace; chatbotId: string },
    values: Partial<typeof promptGenerationJobs.$inferInsert> = {},
  ) {
    const [row] = await db()
      .insert(promptGenerationJobs)
      .values({
        workspaceId: s.ws.workspace.id,
        chatbotId: s.chatbotId,
        requestedById: s.ws.admin.user.id,
        status: "completed",
        inputFiles: [
          { name: "catalog.pdf", mime: "application/pdf", size: 48_213, path: "uploads/a/catalog.pdf" },
          { name: "menu.png", mime: "image/png", size: 9_120, path: "uploads/a/menu.png" },
        ],
        context: "A bakery",
        tone: "warm",
        parameters: { model: "gpt-4o-mini", usage: { promptTokens: 1234, completionTokens: 321 } },
        generatedPrompt: "You are the bakery's assistant. {knowledge}",
        completedAt: new Date(),
        ...values,
      })
      .returning();
    return row!;
  }

  it("makes an ai_generated version with the job's files, model and tokens; the saved text is the body's", async () => {
    const s = await setup();
    const generated = await job(s);
    const res = await putPrompt(
      s.admin,
      s.url,
      {
        text: "You are the bakery's assistant, {tone}. {knowledge}",
        generationJobId: generated.id,
        note: "from files",
      },
      s.etag,
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({
      version: 2,
      method: "ai_generated",
      text: "You are the bakery's assistant, {tone}. {knowledge}",
      note: "from files",
    });
    expect(body.metadata).toEqual({
      generationJobId: generated.id,
      files: [
        { name: "catalog.pdf", mime: "application/pdf", size: 48_213 },
        { name: "menu.png", mime: "image/png", size: 9_120 },
      ],
      model: "gpt-4o-mini",
      usage: { promptTokens: 1234, completionTokens: 321 },
      editedAfterGeneration: true,
    });
    // The history shows the same metadata; the upload paths stay on the server.
    const history = await (await s.agent.get(`${s.url}/history`)).json();
    expect(history.data[0]).toMatchObject({ method: "ai_generated", metadata: body.metadata, live: true });
    expect(JSON.stringify(history)).not.toContain("uploads/a/");
  });

  it("the draft applied as generated is marked unedited", async () => {
    const s = await setup();
    const generated = await job(s);
    const res = await putPrompt(
      s.owner,
      s.url,
      { text: generated.generatedPrompt, generationJobId: generated.id },
      s.etag,
    );
    expect(res.status).toBe(201);
    expect((await res.json()).metadata).toMatchObject({ editedAfterGeneration: false });
  });

  it("a job of another chatbot or workspace is 404; one not completed is 409; nothing is saved", async () => {
    const s = await setup();
    const other = await setup();
    const sibling = await createChatbot(db(), { workspaceId: s.ws.workspace.id });
    const foreign = await job(other);
    const siblings = await job({ ws: s.ws, chatbotId: sibling.id });
    for (const id of [foreign.id, siblings.id, "promptGeneration_nope"]) {
      const res = await putPrompt(s.owner, s.url, { text: "Applied", generationJobId: id }, s.etag);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("prompt_generation_not_found");
    }
    for (const status of ["pending", "processing", "failed"] as const) {
      const unfinished = await job(s, { status, generatedPrompt: null, completedAt: null });
      const res = await putPrompt(s.owner, s.url, { text: "Applied", generationJobId: unfinished.id }, s.etag);
      expect(res.status).toBe(409);
      expect((await res.json()).error).toMatchObject({
        code: "prompt_generation_not_completed",
        details: [{ path: "generationJobId", status }],
      });
    }
    expect(await versionsOf(s.chatbotId)).toHaveLength(1);
  });
});

describe("GET /api/v1/chatbots/{id}/prompt/history", () => {
  it("pages newest first with author, method, note, metadata and the live flag; every role may read", async () => {
    const s = await setup();
    await saveVersions(s, 4);
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : "?limit=2";
      const res = await s.agent.get(`${s.url}/history${query}`);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.data.length).toBeLessThanOrEqual(2);
      seen.push(...body.data.map((v: { version: number }) => v.version));
      if (pages === 0) {
        expect(body.data[0]).toMatchObject({
          version: 5,
          live: true,
          method: "manual",
          note: "note 5",
          author: { id: s.ws.owner.user.id, name: s.ws.owner.user.name },
          metadata: {},
        });
        expect(body.data[0]).not.toHaveProperty("text");
        expect(body.data[1]).toMatchObject({ version: 4, live: false });
      }
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual([5, 4, 3, 2, 1]);
    expect(pages).toBe(3);
  });

  it("a cursor that is not one is 400 invalid_cursor; a limit out of range is 400", async () => {
    const s = await setup();
    const bad = await s.owner.get(`${s.url}/history?cursor=not-a-cursor`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("invalid_cursor");
    expect((await s.owner.get(`${s.url}/history?limit=0`)).status).toBe(400);
    expect((await s.owner.get(`${s.url}/history?limit=101`)).status).toBe(400);
  });

  it("one version has its full text; another chatbot's version is 404 prompt_version_not_found", async () => {
    const s = await setup();
    await saveVersions(s, 1);
    const [v1, v2] = await versionsOf(s.chatbotId);
    const res = await s.agent.get(`${s.url}/history/${v1!.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      versionId: v1!.id,
      version: 1,
      text: "You are {brand_name}'s assistant. {knowledge}",
      live: false,
    });
    expect(await (await s.agent.get(`${s.url}/history/${v2!.id}`)).json()).toMatchObject({ live: true });

    const other = await setup();
    const [foreign] = await versionsOf(other.chatbotId);
    const cross = await s.owner.get(`${s.url}/history/${foreign!.id}`);
    expect(cross.status).toBe(404);
    expect((await cross.json()).error.code).toBe("prompt_version_not_found");
    // Through the other workspace's chatbot: its chatbot does not exist for the caller.
    expect((await s.owner.get(`${other.url}/history/${foreign!.id}`)).status).toBe(404);
  });
});

describe("POST /api/v1/chatbots/{id}/prompt/rollback", () => {
  it("copies an earlier version into a new live one (method rollback), audited", async () => {
    const s = await setup();
    const etag = await saveVersions(s, 2);
    const [v1] = await versionsOf(s.chatbotId);
    const res = await rollback(s.admin, s.url, { versionId: v1!.id, note: "v3 confused customers" }, etag);
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({
      version: 4,
      method: "rollback",
      text: v1!.text,
      note: "v3 confused customers",
      metadata: { fromVersionId: v1!.id, fromVersion: 1 },
      author: { id: s.ws.admin.user.id },
    });
    expect(res.headers.get("etag")).toBe(`"${body.versionId}"`);
    expect(await chatbotRow(s.chatbotId)).toMatchObject({
      systemPrompt: v1!.text,
      currentPromptVersionId: body.versionId,
    });
    expect(await (await s.agent.get(s.url)).json()).toMatchObject({ versionId: body.versionId, text: v1!.text });
    // History only grows: the earlier versions are still there.
    expect((await versionsOf(s.chatbotId)).map((v) => v.version)).toEqual([1, 2, 3, 4]);
    const audit = (await promptAudit(s.ws.workspace.id)).filter((a) => a.action === "prompt.rollback");
    expect(audit).toEqual([
      expect.objectContaining({
        actorUserId: s.ws.admin.user.id,
        entityId: s.chatbotId,
        after: expect.objectContaining({ versionId: body.versionId, method: "rollback" }),
      }),
    ]);
  });

  it("honours If-Match like a save: 428 without, 409 when stale; nothing changes", async () => {
    const s = await setup();
    await saveVersions(s, 1);
    const [v1] = await versionsOf(s.chatbotId);
    expect((await rollback(s.owner, s.url, { versionId: v1!.id })).status).toBe(428);
    const stale = await rollback(s.owner, s.url, { versionId: v1!.id }, s.etag);
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.details.current).toMatchObject({ version: 2 });
    expect(await versionsOf(s.chatbotId)).toHaveLength(2);
  });

  it("to the live version's text: 200 and no new version; an unknown or foreign version: 404", async () => {
    const s = await setup();
    const [v1] = await versionsOf(s.chatbotId);
    const same = await rollback(s.owner, s.url, { versionId: v1!.id }, s.etag);
    expect(same.status).toBe(200);
    expect(await same.json()).toMatchObject({ versionId: v1!.id, version: 1 });

    const other = await setup();
    const [foreign] = await versionsOf(other.chatbotId);
    for (const versionId of [foreign!.id, "promptVersion_nope"]) {
      const res = await rollback(s.owner, s.url, { versionId }, s.etag);
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("prompt_version_not_found");
    }
    expect((await rollback(s.owner, s.url, {}, s.etag)).status).toBe(400);
    expect(await versionsOf(s.chatbotId)).toHaveLength(1);
    expect(await versionsOf(other.chatbotId)).toHaveLength(1);
  });
});

describe("the prompt version of bot messages", () => {
  /** The chatbot answers through the simulator's fake OpenAI-compatible server, which records each request. */
  async function useSimulatedLlm(s: Setup) {
    await db()
      .insert(providerCredentials)
      .values({
        workspaceId: s.ws.workspace.id,
        kind: "OPENAI_COMPATIBLE",
        apiKeyEncrypted: runtime.keyring.encrypt("sk-prompts-test-0001"),
        baseUrl: `${served.url}/llm/openai/v1`,
      });
    await db()
      .update(chatbots)
      .set({ providerKind: "OPENAI_COMPATIBLE", model: "llama3.1:8b" })
      .where(eq(chatbots.id, s.chatbotId));
  }
  const systemPrompts = () =>
    served.simulator.llm.state.calls.map(
      (call) => (call.body as { messages: { role: string; content: string }[] }).messages[0]!.content,
    );

  it("each reply (as bot, or automatic) names the version live when it was written and was written with its text", async () => {
    served.simulator.reset();
    const s = await setup("First prompt: be formal. {knowledge}");
    await useSimulatedLlm(s);
    const conversation = await createConversation(db(), {
      workspaceId: s.ws.workspace.id,
      chatbotId: s.chatbotId,
      lastInboundAt: new Date(),
    });
    const asked = await createMessage(db(), {
      conversationId: conversation.id,
      text: "Which payment methods do you accept?",
    });
    const [v1] = await versionsOf(s.chatbotId);

    // "Reply as bot" with version 1 live.
    const res = await s.agent.post(`/api/v1/conversations/${conversation.id}/messages`, { sendAs: "BOT" });
    expect(res.status).toBe(201);
    const first = await res.json();
    expect(first).toMatchObject({ role: "BOT", promptVersionId: v1!.id });

    // Version 2 goes live; the customer's next message gets the automatic reply (the reply job).
    const saved = await (
      await putPrompt(s.owner, s.url, { text: "Second prompt: one line. {knowledge}" }, s.etag)
    ).json();
    expect(saved.versionId).not.toBe(v1!.id);
    const again = await createMessage(db(), { conversationId: conversation.id, text: "And do you ship abroad?" });
    await generateBotReply.handle(
      { conversationId: conversation.id, triggerMessageId: again.id, mode: "auto" },
      {
        ...appJobDeps(runtime),
        jobId: "job_prompt_versions",
        jobKey: null,
        name: generateBotReply.name,
        attempt: 1,
        maxAttempts: 1,
        log: silentLogger,
        signal: new AbortController().signal,
      },
    );

    const thread = await (await s.agent.get(`/api/v1/conversations/${conversation.id}/messages`)).json();
    const shown = thread.data.map((m: { id: string; role: string; promptVersionId: string | null }) => [
      m.role,
      m.promptVersionId,
    ]);
    expect(shown).toEqual([
      ["USER", null],
      ["BOT", v1!.id],
      ["USER", null],
      ["BOT", saved.versionId],
    ]);
    expect(thread.data[0].id).toBe(asked.id);
    // The text each reply was written with is that version's.
    const prompts = systemPrompts();
    expect(prompts.map((p) => p.split(" ").slice(0, 2).join(" "))).toEqual(["First prompt:", "Second prompt:"]);
  });
});

describe("PUT /api/v1/settings/provider and prompt versions", () => {
  it("a systemPrompt saved there is a manual version in the history, and makes older ETags stale", async () => {
    const s = await setup();
    const res = await s.admin.put("/api/v1/settings/provider", {
      provider: "OFFLINE",
      model: "offline-faq",
      temperature: 0.3,
      maxTokens: 512,
      systemPrompt: "From the provider settings. {knowledge}",
    });
    expect(res.status).toBe(200);
    const history = await (await s.agent.get(`${s.url}/history`)).json();
    expect(history.data[0]).toMatchObject({
      version: 2,
      method: "manual",
      live: true,
      author: { id: s.ws.admin.user.id },
      metadata: { source: "provider_settings" },
    });
    const audit = (await promptAudit(s.ws.workspace.id)).map((a) => a.action);
    expect(audit.filter((a) => a === "prompt.update")).toHaveLength(2);
    expect(audit).toContain("provider.update");
    const stale = await putPrompt(s.owner, s.url, { text: "Edited from version 1" }, s.etag);
    expect(stale.status).toBe(409);
  });
});

describe("OpenAPI", () => {
  it("documents the prompt routes with their permissions, If-Match and ETag", async () => {
    const doc = await (await app.request("/api/v1/openapi.json")).json();
    const prompt = doc.paths["/api/v1/chatbots/{id}/prompt"];
    expect(prompt.get["x-permission"]).toBe("chatbots.read");
    expect(prompt.get.responses["200"].headers.ETag).toBeDefined();
    expect(prompt.put["x-permission"]).toBe("chatbots.manage");
    expect(prompt.put.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ in: "header", name: "if-match" })]),
    );
    expect(Object.keys(prompt.put.responses)).toEqual(expect.arrayContaining(["200", "201", "409", "428"]));
    expect(doc.paths["/api/v1/chatbots/{id}/prompt/history"].get["x-permission"]).toBe("chatbots.read");
    expect(doc.paths["/api/v1/chatbots/{id}/prompt/history/{versionId}"].get["x-permission"]).toBe("chatbots.read");
    expect(doc.paths["/api/v1/chatbots/{id}/prompt/rollback"].post["x-permission"]).toBe("chatbots.manage");
  });
});
