/**
 * AI-written prompts from files (`POST /api/v1/chatbots/{id}/prompt/generate`, `GET …/{jobId}`):
 * real files (tests/fixtures/prompt-generation) through the real job queue, written by the
 * simulator's fake OpenAI over HTTP and by the offline template; limits (413, 415, > 10 files),
 * an empty extraction, roles, another workspace's chatbot, the audit row, the socket events and
 * the uploads deleted when the job ends.
 */
import { existsSync, readFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  type AppJobDeps,
  appJobDeps,
  createDbJobQueue,
  generateSystemPrompt,
  type JobQueue,
  JobRegistry,
  type Runtime,
  registerAllJobs,
  silentLogger,
  validatePromptTemplate,
} from "@tandem/core";
import { auditLogs, chatbots, promptGenerationJobs, providerCredentials } from "@tandem/db";
import { createChatbot, type TestWorkspace } from "@tandem/db/testing";
import { type ServedSimulator, serveSimulator } from "@tandem/simulator";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const fixture = (name: string) => readFileSync(path.join(root, "tests/fixtures/prompt-generation", name));

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let queue: JobQueue;
let served: ServedSimulator;
const events: { room: string; event: string; payload: { jobId: string; status: string } }[] = [];

beforeAll(async () => {
  served = await serveSimulator();
  runtime = await createTestRuntime();
  runtime.realtime.bind({
    emit: (room, event, payload) => events.push({ room, event, payload: payload as { jobId: string; status: string } }),
  });
  queue = createDbJobQueue<AppJobDeps>({
    db: runtime.database.db,
    registry: registerAllJobs(new JobRegistry<AppJobDeps>()),
    deps: appJobDeps(runtime),
    log: silentLogger,
    pollIntervalMs: 50,
  });
  runtime.queue = queue;
  await queue.start();
  app = createApp(runtime);
});
afterAll(async () => {
  await queue.stop({ timeoutMs: 5000 });
  await runtime.close();
  await served.close();
});
beforeEach(() => served.simulator.reset());

const db = () => runtime.database.db;

async function signedIn(person: TestWorkspace["owner"]) {
  const client = new TestClient(app);
  expect((await client.signIn(person.user.email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function setup(botOverrides: Partial<typeof chatbots.$inferInsert> = {}) {
  const ws = await createSignInWorkspace(runtime);
  const chatbot = await createChatbot(db(), {
    workspaceId: ws.workspace.id,
    name: "Lotus Spa bot",
    systemPrompt: "You are {brand_name}'s assistant.",
    ...botOverrides,
  });
  return { ws, chatbot, owner: await signedIn(ws.owner) };
}

async function useSimulatedOpenAi(workspaceId: string, chatbotId: string) {
  await db()
    .insert(providerCredentials)
    .values({
      workspaceId,
      kind: "OPENAI_COMPATIBLE",
      apiKeyEncrypted: runtime.keyring.encrypt("sk-api-test-0001"),
      baseUrl: `${served.url}/llm/openai/v1`,
    });
  await db()
    .update(chatbots)
    .set({ providerKind: "OPENAI_COMPATIBLE", model: "llama3.1:8b" })
    .where(eq(chatbots.id, chatbotId));
}

type FilePart = { name: string; bytes: Uint8Array; type?: string };
const file = (name: string, type?: string): FilePart => ({ name, bytes: fixture(name), type });

function form(files: FilePart[], fields: Record<string, string> = {}): FormData {
  const data = new FormData();
  for (const f of files) data.append("files", new Blob([f.bytes], { type: f.type ?? "" }), f.name);
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  return data;
}

const generate = (client: TestClient, chatbotId: string, body: FormData) =>
  client.request("POST", `/api/v1/chatbots/${chatbotId}/prompt/generate`, body);

async function finished(client: TestClient, chatbotId: string, jobId: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await client.get(`/api/v1/chatbots/${chatbotId}/prompt/generate/${jobId}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    if (body.status === "completed" || body.status === "failed") return body;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const uploadsOf = async (workspaceId: string) => {
  const dir = path.join(runtime.config.dataDir, "prompt-uploads", workspaceId);
  // The job directories left, with whatever they hold.
  return existsSync(dir) ? await readdir(dir, { recursive: true }) : [];
};

describe("POST /api/v1/chatbots/{id}/prompt/generate with the offline provider", () => {
  it("reads a PDF, a PNG (OCR) and a DOCX and fills the five-point template with their facts", async () => {
    const { ws, chatbot, owner } = await setup();
    const res = await generate(
      owner,
      chatbot.id,
      form([file("spa-menu.pdf"), file("opening-hours.png", "image/png"), file("vouchers.docx")], {
        context: "Answers guests of Lotus Spa about treatments and bookings",
        tone: "warm and calm",
        additionalInstructions: "Offer to book a treatment when a guest sounds interested.",
      }),
    );
    expect(res.status).toBe(202);
    const started = await res.json();
    expect(started).toEqual({ jobId: expect.stringMatching(/^pgen_/), status: "pending" });

    const job = await finished(owner, chatbot.id, started.jobId);
    expect(job).toMatchObject({
      status: "completed",
      error: null,
      provider: "OFFLINE",
      model: "offline-template",
      usage: { promptTokens: 0, completionTokens: 0 },
      livePrompt: "You are {brand_name}'s assistant.",
      context: "Answers guests of Lotus Spa about treatments and bookings",
      tone: "warm and calm",
      additionalInstructions: "Offer to book a treatment when a guest sounds interested.",
      requestedById: ws.owner.user.id,
    });
    expect(job.files).toEqual([
      expect.objectContaining({ name: "spa-menu.pdf", mime: "application/pdf", method: "pdf", pages: 1, error: null }),
      expect.objectContaining({ name: "opening-hours.png", mime: "image/png", method: "ocr", error: null }),
      expect.objectContaining({
        name: "vouchers.docx",
        mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        method: "docx",
      }),
    ]);
    expect(job.files[0].size).toBe(fixture("spa-menu.pdf").length);
    const prompt: string = job.generatedPrompt;
    for (const heading of [
      "## Role",
      "## Boundaries",
      "## Handling instructions",
      "## Tone",
      "## Safety and compliance",
    ]) {
      expect(prompt).toContain(heading);
    }
    expect(prompt).toContain("Thai massage, 60 minutes: 800 baht");
    expect(prompt).toContain("Opening hours: Monday to Friday");
    expect(prompt).toContain("Gift vouchers are valid for 12 months");
    expect(prompt).toContain("Answers guests of Lotus Spa");
    expect(prompt).toContain("warm and calm");
    expect(prompt).toContain("Offer to book a treatment");
    expect(prompt).toContain("{knowledge}");
    expect(validatePromptTemplate(prompt)).toEqual({ ok: true, unknownVariables: [] });
    // A draft: the live prompt is untouched until someone applies it.
    const [bot] = await db().select().from(chatbots).where(eq(chatbots.id, chatbot.id));
    expect(bot!.systemPrompt).toBe("You are {brand_name}'s assistant.");

    // Steps in order, each file's extraction included; the job row keeps what the apply step reads.
    expect(job.progress.map((s: { step: string; status: string }) => `${s.step}:${s.status}`)).toEqual([
      "upload:done",
      "extract:running",
      "extract:done",
      "extract:running",
      "extract:done",
      "extract:running",
      "extract:done",
      "write:running",
      "write:done",
    ]);
    const [row] = await db().select().from(promptGenerationJobs).where(eq(promptGenerationJobs.id, started.jobId));
    expect(row!.parameters).toMatchObject({
      model: "offline-template",
      usage: { promptTokens: 0, completionTokens: 0 },
    });
    expect(row!.inputFiles.map((f) => f.name)).toEqual(["spa-menu.pdf", "opening-hours.png", "vouchers.docx"]);

    // Live over the socket to the workspace; the uploads are gone once the job ended.
    const mine = events.filter((e) => e.event === "prompt-generation:updated" && e.payload.jobId === started.jobId);
    expect(mine.every((e) => e.room === `workspace:${ws.workspace.id}`)).toBe(true);
    expect(mine.map((e) => e.payload.status)).toContain("processing");
    expect(mine.at(-1)!.payload.status).toBe("completed");
    expect(await uploadsOf(ws.workspace.id)).toEqual([]);

    const [audit] = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "prompt_generation.start")));
    expect(audit).toMatchObject({ entityType: "chatbot", entityId: chatbot.id, actorUserId: ws.owner.user.id });
    expect(audit!.after).toMatchObject({
      jobId: started.jobId,
      files: expect.arrayContaining([expect.objectContaining({ name: "spa-menu.pdf" })]),
    });
  }, 90_000);

  it("OCRs a scanned PDF and names it as scanned in the file's warnings", async () => {
    const { chatbot, owner } = await setup();
    const { jobId } = await (await generate(owner, chatbot.id, form([file("scanned-hours.pdf")]))).json();
    const job = await finished(owner, chatbot.id, jobId);
    expect(job.status).toBe("completed");
    expect(job.files[0]).toMatchObject({ method: "ocr", pages: 1 });
    expect(job.files[0].warnings[0]).toContain("this PDF has no text layer (scanned?)");
    expect(job.generatedPrompt).toContain("Opening hours: Monday to Friday");
  }, 60_000);

  it("fails with a readable reason, never an empty prompt, when no file gives any text", async () => {
    const { ws, chatbot, owner } = await setup();
    const { jobId } = await (
      await generate(
        owner,
        chatbot.id,
        form([
          { name: "empty.txt", bytes: new Uint8Array(0), type: "text/plain" },
          { name: "broken.pdf", bytes: new TextEncoder().encode("%PDF-1.7\n1 0 obj garbage") },
        ]),
      )
    ).json();
    const job = await finished(owner, chatbot.id, jobId);
    expect(job.status).toBe("failed");
    expect(job.generatedPrompt).toBeNull();
    expect(job.error).toMatch(/^No text could be read from the files/);
    expect(job.error).toContain("empty.txt: no text found in it");
    expect(job.error).toContain("broken.pdf: broken.pdf cannot be read: it is not a valid PDF");
    expect(job.files[1]).toMatchObject({ method: null, error: expect.stringContaining("not a valid PDF") });
    expect(job.progress.at(-1)).toMatchObject({ step: "failed", status: "failed" });
    expect(await uploadsOf(ws.workspace.id)).toEqual([]);
  }, 60_000);
});

describe("POST /api/v1/chatbots/{id}/prompt/generate through the chatbot's provider", () => {
  it("sends the extracted text, context, tone and instructions to the provider and keeps its prompt, model and usage", async () => {
    const { ws, chatbot, owner } = await setup();
    await useSimulatedOpenAi(ws.workspace.id, chatbot.id);
    const written = [
      "## Role",
      "You are {brand_name}'s spa assistant. Use {knowledge} and the {booking_link}.",
      "## Boundaries",
      "Only spa topics.",
      "## Handling instructions",
      "Offer bookings.",
      "## Tone",
      "Warm.",
      "## Safety and compliance",
      "No medical advice.",
    ].join("\n");
    served.simulator.llm.state.addReply({ reply: `\`\`\`markdown\n${written}\n\`\`\`` });
    const { jobId } = await (
      await generate(
        owner,
        chatbot.id,
        form([file("spa-menu.pdf"), file("opening-hours.png")], { context: "Spa guests", tone: "warm" }),
      )
    ).json();
    const job = await finished(owner, chatbot.id, jobId);
    expect(job).toMatchObject({ status: "completed", provider: "OPENAI_COMPATIBLE", model: "llama3.1:8b" });
    // Fences dropped; an unknown placeholder loses its braces, so the draft can be saved as it is.
    expect(job.generatedPrompt).toBe(written.replace("{booking_link}", "booking_link"));
    expect(job.progress.at(-1)).toMatchObject({
      step: "write",
      status: "done",
      message: expect.stringContaining("{booking_link}"),
    });
    expect(job.usage.promptTokens).toBeGreaterThan(50);
    expect(job.usage.completionTokens).toBeGreaterThan(10);

    const calls = served.simulator.llm.state.calls.filter((c) => c.path === "/v1/chat/completions");
    expect(calls).toHaveLength(1);
    const body = calls[0]!.body as { model: string; messages: { role: string; content: string }[] };
    expect(body.model).toBe("llama3.1:8b");
    const system = body.messages.find((m) => m.role === "system")!.content;
    for (const point of [
      "## Role",
      "## Boundaries",
      "## Handling instructions",
      "## Tone",
      "## Safety and compliance",
    ]) {
      expect(system).toContain(point);
    }
    expect(system).toContain("{knowledge}");
    const user = body.messages.find((m) => m.role === "user")!.content;
    expect(user).toContain('<document name="spa-menu.pdf">');
    expect(user).toContain("Aromatherapy oil massage, 90 minutes: 1,500 baht");
    expect(user).toContain("Opening hours: Monday to Friday");
    expect(user).toContain("What it is for: Spa guests");
    expect(user).toContain("Tone: warm");
  }, 60_000);

  it("gets a five-section prompt from the simulator's fake OpenAI when no reply is scripted (the demo's path)", async () => {
    const { ws, chatbot, owner } = await setup();
    await useSimulatedOpenAi(ws.workspace.id, chatbot.id);
    const { jobId } = await (
      await generate(owner, chatbot.id, form([file("spa-menu.pdf")], { context: "Spa guests", tone: "warm" }))
    ).json();
    const job = await finished(owner, chatbot.id, jobId);
    expect(job.status).toBe("completed");
    for (const heading of [
      "## Role",
      "## Boundaries",
      "## Handling instructions",
      "## Tone",
      "## Safety and compliance",
    ]) {
      expect(job.generatedPrompt).toContain(heading);
    }
    expect(job.generatedPrompt).toContain("Lotus Spa Bangkok");
    expect(job.generatedPrompt).toContain("Tone: warm.");
    expect(validatePromptTemplate(job.generatedPrompt)).toEqual({ ok: true, unknownVariables: [] });
  }, 60_000);

  it("retries a provider that keeps rate-limiting past the client's own retries, then succeeds", async () => {
    const { ws, chatbot, owner } = await setup();
    await useSimulatedOpenAi(ws.workspace.id, chatbot.id);
    // The LLM client retries twice itself: the third 429 reaches the job, which is retried.
    served.simulator.llm.state.addFault({ kind: "rate_limit", times: 3, retryAfterMs: 50 });
    served.simulator.llm.state.addReply({ reply: "## Role\nYou are the spa's assistant." });
    const { jobId } = await (await generate(owner, chatbot.id, form([file("vouchers.docx")]))).json();
    const job = await finished(owner, chatbot.id, jobId);
    expect(job.status).toBe("completed");
    expect(job.generatedPrompt).toBe("## Role\nYou are the spa's assistant.");
    expect(job.progress.filter((s: { step: string }) => s.step === "retry")).toEqual([
      expect.objectContaining({ status: "running", message: expect.stringContaining("provider_rate_limited") }),
    ]);
    expect(served.simulator.llm.state.calls.filter((c) => c.path === "/v1/chat/completions")).toHaveLength(4);
  }, 60_000);

  it("fails with the provider's reason when the key is refused (not retried)", async () => {
    const { ws, chatbot, owner } = await setup();
    await useSimulatedOpenAi(ws.workspace.id, chatbot.id);
    served.simulator.llm.state.addFault({ kind: "invalid_key", times: 5 });
    const { jobId } = await (await generate(owner, chatbot.id, form([file("vouchers.docx")]))).json();
    const job = await finished(owner, chatbot.id, jobId);
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/provider_auth_failed/);
    expect(served.simulator.llm.state.calls.filter((c) => c.path === "/v1/chat/completions")).toHaveLength(1);
  }, 60_000);
});

describe("failures end the job, with a reason", () => {
  it("a chatbot whose provider has no key: failed, naming what to fix", async () => {
    const { chatbot, owner } = await setup({ providerKind: "OPENAI", model: "gpt-4o-mini" });
    const { jobId } = await (await generate(owner, chatbot.id, form([file("vouchers.docx")]))).json();
    const job = await finished(owner, chatbot.id, jobId);
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/answers with OPENAI, but no API key/);
  }, 60_000);

  it("uploads gone from DATA_DIR before the job read them: failed, not stuck", async () => {
    const { ws, chatbot, owner } = await setup();
    const [row] = await db()
      .insert(promptGenerationJobs)
      .values({
        workspaceId: ws.workspace.id,
        chatbotId: chatbot.id,
        inputFiles: [{ name: "lost.pdf", mime: "application/pdf", size: 10, path: "prompt-uploads/x/y/0" }],
      })
      .returning();
    await queue.enqueue(generateSystemPrompt, { jobId: row!.id }, { workspaceId: ws.workspace.id });
    const job = await finished(owner, chatbot.id, row!.id);
    expect(job.status).toBe("failed");
    expect(job.error).toContain("lost.pdf");
    expect(job.files[0]).toMatchObject({ name: "lost.pdf", error: expect.stringContaining("no longer on the server") });
  }, 60_000);
});

describe("limits and bad input", () => {
  const jobsOf = (chatbotId: string) =>
    db().select().from(promptGenerationJobs).where(eq(promptGenerationJobs.chatbotId, chatbotId));

  it("refuses a file over 20 MB with 413 naming it, and stores nothing", async () => {
    const { ws, chatbot, owner } = await setup();
    const big = new Uint8Array(20 * 1024 * 1024 + 1).fill(0x41);
    const res = await generate(
      owner,
      chatbot.id,
      form([file("spa-menu.pdf"), { name: "huge.txt", bytes: big, type: "text/plain" }]),
    );
    expect(res.status).toBe(413);
    const body = await res.json();
    expect(body.error).toMatchObject({
      code: "file_too_large",
      details: [expect.objectContaining({ path: "files", name: "huge.txt" })],
    });
    expect(await jobsOf(chatbot.id)).toEqual([]);
    expect(await uploadsOf(ws.workspace.id)).toEqual([]);
  });

  it("takes a file larger than the admin stack's 1 MB body limit (the upload route has its own)", async () => {
    const { chatbot, owner } = await setup();
    const text = new TextEncoder().encode("Our shop opens at 9:00 and closes at 18:00.\n".repeat(50_000));
    expect(text.length).toBeGreaterThan(2 * 1024 * 1024);
    const res = await generate(owner, chatbot.id, form([{ name: "hours.txt", bytes: text, type: "text/plain" }]));
    expect(res.status).toBe(202);
    const job = await finished(owner, chatbot.id, (await res.json()).jobId);
    expect(job.status).toBe("completed");
    expect(job.files[0]).toMatchObject({ size: text.length, characters: text.length - 1 });
    expect(job.generatedPrompt).toContain("Our shop opens at 9:00 and closes at 18:00.");
  }, 60_000);

  it("refuses more than 10 files with 400", async () => {
    const { chatbot, owner } = await setup();
    const files = Array.from({ length: 11 }, (_, i) => ({
      name: `note-${i}.txt`,
      bytes: new TextEncoder().encode(`Note ${i}`),
    }));
    const res = await generate(owner, chatbot.id, form(files));
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({
      code: "invalid_input",
      details: [expect.objectContaining({ path: "files" })],
    });
    expect(await jobsOf(chatbot.id)).toEqual([]);
  });

  it("refuses an unsupported type by its bytes with 415, whatever its name says", async () => {
    const { ws, chatbot, owner } = await setup();
    const exe = { name: "menu.pdf", bytes: Uint8Array.of(0x4d, 0x5a, 0x90, 0, 3, 0), type: "application/pdf" };
    const res = await generate(owner, chatbot.id, form([file("vouchers.docx"), exe]));
    expect(res.status).toBe(415);
    const body = await res.json();
    expect(body.error.code).toBe("unsupported_file_type");
    expect(body.error.message).toContain("menu.pdf");
    expect(await jobsOf(chatbot.id)).toEqual([]);
    expect(await uploadsOf(ws.workspace.id)).toEqual([]);
  });

  it("answers 400 with the field for no file, a too-long field, an unknown field or a JSON body", async () => {
    const { chatbot, owner } = await setup();
    const none = await generate(owner, chatbot.id, form([], { context: "x" }));
    expect(none.status).toBe(400);
    expect((await none.json()).error.details).toEqual([expect.objectContaining({ path: "files" })]);

    const longTone = await generate(owner, chatbot.id, form([file("vouchers.docx")], { tone: "x".repeat(201) }));
    expect(longTone.status).toBe(400);
    expect((await longTone.json()).error.details).toEqual([expect.objectContaining({ path: "tone" })]);

    const unknown = await generate(owner, chatbot.id, form([file("vouchers.docx")], { temperature: "2" }));
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).error.details).toEqual([expect.objectContaining({ path: "temperature" })]);

    const repeated = form([file("vouchers.docx")], {});
    for (let i = 0; i < 7; i++) repeated.append("context", `again ${i}`);
    const tooMany = await generate(owner, chatbot.id, repeated);
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).error.details).toEqual([expect.objectContaining({ path: "body" })]);

    const json = await owner.post(`/api/v1/chatbots/${chatbot.id}/prompt/generate`, { files: [] });
    expect(json.status).toBe(400);
    expect(await jobsOf(chatbot.id)).toEqual([]);
  });
});

describe("roles and workspaces", () => {
  it("OWNER and ADMIN start a generation; an AGENT may read it but not start one (403)", async () => {
    const { ws, chatbot, owner } = await setup();
    const admin = await signedIn(ws.admin);
    const agent = await signedIn(ws.agent);
    const byAdmin = await generate(admin, chatbot.id, form([file("vouchers.docx")]));
    expect(byAdmin.status).toBe(202);
    const { jobId } = await byAdmin.json();
    const refused = await generate(agent, chatbot.id, form([file("vouchers.docx")]));
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe("forbidden");
    const job = await finished(agent, chatbot.id, jobId);
    expect(job.status).toBe("completed");
    expect((await finished(owner, chatbot.id, jobId)).jobId).toBe(jobId);
    const rows = await db().select().from(promptGenerationJobs).where(eq(promptGenerationJobs.chatbotId, chatbot.id));
    expect(rows).toHaveLength(1);
  }, 60_000);

  it("another workspace's chatbot and job are not found (404), and nothing is stored", async () => {
    const a = await setup();
    const b = await setup();
    const { jobId } = await (await generate(a.owner, a.chatbot.id, form([file("vouchers.docx")]))).json();
    await finished(a.owner, a.chatbot.id, jobId);

    const post = await generate(b.owner, a.chatbot.id, form([file("vouchers.docx")]));
    expect(post.status).toBe(404);
    expect((await post.json()).error.code).toBe("chatbot_not_found");
    expect(await uploadsOf(b.ws.workspace.id)).toEqual([]);
    const read = await b.owner.get(`/api/v1/chatbots/${a.chatbot.id}/prompt/generate/${jobId}`);
    expect(read.status).toBe(404);
    // B's own chatbot with A's job id: the job is not B's.
    const crossed = await b.owner.get(`/api/v1/chatbots/${b.chatbot.id}/prompt/generate/${jobId}`);
    expect(crossed.status).toBe(404);
    expect((await crossed.json()).error.code).toBe("prompt_generation_not_found");
    // A deleted chatbot is gone too.
    await db().update(chatbots).set({ deletedAt: new Date() }).where(eq(chatbots.id, a.chatbot.id));
    expect((await a.owner.get(`/api/v1/chatbots/${a.chatbot.id}/prompt/generate/${jobId}`)).status).toBe(404);
  }, 60_000);
});
