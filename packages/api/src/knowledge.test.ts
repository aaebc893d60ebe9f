/**
 * The knowledge base's API (`/api/v1/knowledge/...`) through the real app and the real job queue on
 * PGlite: sources, uploads read by `ingest-document` into chunks that retrieval finds, failures that
 * end `failed` with a reason, limits (413, 415, too many files), re-ingest and deletion, FAQ entries
 * with CSV import and export, roles, another workspace's rows, and the live `knowledge:updated` events.
 */
import { SOCKET_EVENTS } from "@tandem/contracts";
import {
  type AppJobDeps,
  appJobDeps,
  bigramQueryTerms,
  createDbJobQueue,
  type JobQueue,
  JobRegistry,
  type Runtime,
  registerAllJobs,
  retrieveKnowledge,
  silentLogger,
} from "@tandem/core";
import { auditLogs, chunks, documentFiles, documents } from "@tandem/db";
import { createChatbot, type TestWorkspace } from "@tandem/db/testing";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { docx, pdf, zipBomb } from "../../../tests/support/documents.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let queue: JobQueue;
// biome-ignore lint/suspicious/noExplicitAny: recorded socket payloads of several shapes
const events: { room: string; event: string; payload: any }[] = [];

beforeAll(async () => {
  runtime = await createTestRuntime({ KNOWLEDGE_MAX_FILE_MB: "1" });
  runtime.realtime.bind({ emit: (room, event, payload) => events.push({ room, event, payload }) });
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
});

const db = () => runtime.database.db;

async function signedIn(person: TestWorkspace["owner"]) {
  const client = new TestClient(app);
  expect((await client.signIn(person.user.email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function setup() {
  const ws = await createSignInWorkspace(runtime);
  return { ws, owner: await signedIn(ws.owner), agent: await signedIn(ws.agent) };
}

async function createSource(client: TestClient, body: Record<string, unknown>) {
  const res = await client.request("POST", "/api/v1/knowledge/sources", body);
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; status: string; chatbotId: string | null };
}

type FilePart = { name: string; bytes: Uint8Array | string; type?: string };
function form(files: FilePart[], fields: Record<string, string> = {}, field = "files"): FormData {
  const data = new FormData();
  for (const f of files)
    data.append(
      field,
      new Blob([typeof f.bytes === "string" ? new TextEncoder().encode(f.bytes) : f.bytes], { type: f.type ?? "" }),
      f.name,
    );
  for (const [k, v] of Object.entries(fields)) data.append(k, v);
  return data;
}

async function settled(client: TestClient, documentId: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await client.get(`/api/v1/knowledge/documents/${documentId}`);
    expect(res.status).toBe(200);
    const body = await res.json();
    if (body.status === "ready" || body.status === "failed") return body;
    if (Date.now() > deadline) throw new Error(`document ${documentId} still ${body.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const upload = (client: TestClient, sourceId: string, body: FormData) =>
  client.request("POST", `/api/v1/knowledge/sources/${sourceId}/documents`, body);

describe("knowledge sources", () => {
  it("creates, lists by type and chatbot (its own and shared), gets, renames and deletes sources, audited", async () => {
    const { ws, owner } = await setup();
    const bot = await createChatbot(db(), { workspaceId: ws.workspace.id, name: "Shop bot" });
    const other = await createChatbot(db(), { workspaceId: ws.workspace.id, name: "Other bot" });
    const shared = await createSource(owner, { name: "Policies", type: "document", category: "policy" });
    const own = await createSource(owner, { name: "Bot FAQ", type: "faq", chatbotId: bot.id });
    await createSource(owner, { name: "Other FAQ", type: "faq", chatbotId: other.id });
    expect(shared).toMatchObject({
      chatbotId: null,
      status: "ready",
      progress: 100,
      counts: { documents: 0, chunks: 0 },
    });

    const forBot = await (await owner.get(`/api/v1/knowledge/sources?chatbotId=${bot.id}`)).json();
    expect(forBot.data.map((s: { name: string }) => s.name).sort()).toEqual(["Bot FAQ", "Policies"]);
    const faqs = await (await owner.get("/api/v1/knowledge/sources?type=faq")).json();
    expect(faqs.data.map((s: { name: string }) => s.name).sort()).toEqual(["Bot FAQ", "Other FAQ"]);
    const paged = await (await owner.get("/api/v1/knowledge/sources?limit=2")).json();
    expect(paged.data).toHaveLength(2);
    const rest = await (await owner.get(`/api/v1/knowledge/sources?limit=2&cursor=${paged.nextCursor}`)).json();
    expect(rest.data).toHaveLength(1);

    // A chatbot of another workspace (or none) is refused, naming the field.
    const stranger = await createSignInWorkspace(runtime);
    const foreignBot = await createChatbot(db(), { workspaceId: stranger.workspace.id, name: "Theirs" });
    const bad = await owner.request("POST", "/api/v1/knowledge/sources", {
      name: "x",
      type: "text",
      chatbotId: foreignBot.id,
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details).toEqual([expect.objectContaining({ path: "chatbotId" })]);
    const noUrl = await owner.request("POST", "/api/v1/knowledge/sources", { name: "x", type: "url" });
    expect(noUrl.status).toBe(400);

    const patched = await owner.request("PATCH", `/api/v1/knowledge/sources/${own.id}`, {
      name: "Shop FAQ",
      chatbotId: null,
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ name: "Shop FAQ", chatbotId: null });
    expect((await owner.request("DELETE", `/api/v1/knowledge/sources/${own.id}`)).status).toBe(204);
    expect((await owner.get(`/api/v1/knowledge/sources/${own.id}`)).status).toBe(404);

    const actions = await db()
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.entityId, own.id)));
    expect(actions.map((a) => a.action).sort()).toEqual([
      "knowledge_source.create",
      "knowledge_source.delete",
      "knowledge_source.update",
    ]);
  });

  it("is read by every member but changed only by OWNER and ADMIN, and another workspace's rows are 404 everywhere", async () => {
    const { owner, agent } = await setup();
    const source = await createSource(owner, { name: "Docs", type: "text" });
    const faq = await createSource(owner, { name: "FAQ", type: "faq" });
    const text = await owner.request("POST", `/api/v1/knowledge/sources/${source.id}/text`, {
      title: "Hours",
      content: "We open at nine.",
    });
    const document = await text.json();
    const entry = await (
      await owner.request("POST", `/api/v1/knowledge/sources/${faq.id}/faq`, { question: "Open?", answer: "Nine." })
    ).json();
    await settled(owner, document.id);

    expect((await agent.get(`/api/v1/knowledge/sources/${source.id}`)).status).toBe(200);
    expect((await agent.get(`/api/v1/knowledge/documents/${document.id}/chunks`)).status).toBe(200);
    for (const [method, url, body] of [
      ["POST", "/api/v1/knowledge/sources", { name: "x", type: "text" }],
      ["PATCH", `/api/v1/knowledge/sources/${source.id}`, { name: "y" }],
      ["DELETE", `/api/v1/knowledge/sources/${source.id}`, undefined],
      ["POST", `/api/v1/knowledge/sources/${source.id}/sync`, undefined],
      ["POST", `/api/v1/knowledge/sources/${source.id}/text`, { title: "t", content: "c" }],
      ["PATCH", `/api/v1/knowledge/documents/${document.id}`, { title: "t" }],
      ["DELETE", `/api/v1/knowledge/documents/${document.id}`, undefined],
      ["POST", `/api/v1/knowledge/documents/${document.id}/reingest`, undefined],
      ["POST", `/api/v1/knowledge/sources/${faq.id}/faq`, { question: "q", answer: "a" }],
      ["PATCH", `/api/v1/knowledge/faq/${entry.id}`, { answer: "a" }],
      ["DELETE", `/api/v1/knowledge/faq/${entry.id}`, undefined],
    ] as const) {
      const res = await agent.request(method, url, body);
      expect(res.status, `${method} ${url}`).toBe(403);
    }

    const stranger = await signedIn((await createSignInWorkspace(runtime)).owner);
    const routes: [string, string, unknown][] = [
      ["GET", `/api/v1/knowledge/sources/${source.id}`, undefined],
      ["PATCH", `/api/v1/knowledge/sources/${source.id}`, { name: "mine" }],
      ["POST", `/api/v1/knowledge/sources/${source.id}/sync`, undefined],
      ["GET", `/api/v1/knowledge/sources/${source.id}/documents`, undefined],
      ["POST", `/api/v1/knowledge/sources/${source.id}/documents`, form([{ name: "a.txt", bytes: "hello" }])],
      ["POST", `/api/v1/knowledge/sources/${source.id}/text`, { title: "t", content: "c" }],
      ["GET", `/api/v1/knowledge/documents/${document.id}`, undefined],
      ["PATCH", `/api/v1/knowledge/documents/${document.id}`, { title: "t" }],
      ["POST", `/api/v1/knowledge/documents/${document.id}/reingest`, undefined],
      ["GET", `/api/v1/knowledge/documents/${document.id}/chunks`, undefined],
      ["DELETE", `/api/v1/knowledge/documents/${document.id}`, undefined],
      ["GET", `/api/v1/knowledge/sources/${faq.id}/faq`, undefined],
      ["POST", `/api/v1/knowledge/sources/${faq.id}/faq`, { question: "q", answer: "a" }],
      ["PATCH", `/api/v1/knowledge/faq/${entry.id}`, { answer: "a" }],
      ["DELETE", `/api/v1/knowledge/faq/${entry.id}`, undefined],
      ["GET", `/api/v1/knowledge/sources/${faq.id}/faq/export`, undefined],
      ["DELETE", `/api/v1/knowledge/sources/${source.id}`, undefined],
    ];
    for (const [method, url, body] of routes) {
      const res = await stranger.request(method, url, body);
      expect(res.status, `${method} ${url}`).toBe(404);
    }
    const imported = await stranger.request(
      "POST",
      `/api/v1/knowledge/sources/${faq.id}/faq/import`,
      "question,answer\nq,a\n",
      { "content-type": "text/csv" },
    );
    expect(imported.status).toBe(404);
    // Nothing of theirs changed.
    expect(await (await owner.get(`/api/v1/knowledge/documents/${document.id}`)).json()).toMatchObject({
      title: "Hours",
      status: "ready",
    });
  });
});

describe("uploads and ingest", () => {
  it("reads Markdown, HTML, a DOCX and a PDF into chunks with heading paths and pages, which retrieval finds", async () => {
    const { ws, owner } = await setup();
    const source = await createSource(owner, { name: "Handbook", type: "document" });
    events.length = 0;
    const res = await upload(
      owner,
      source.id,
      form(
        [
          { name: "returns.md", bytes: "# Returns\n\nReturn any kettle within 30 days for a full refund." },
          {
            name: "shipping.html",
            bytes:
              "<html><body><nav>Menu</nav><h1>Shipping</h1><p>Parcels to Chiang Mai arrive in three days.</p></body></html>",
            type: "text/html",
          },
          {
            name: "warranty.docx",
            bytes: docx([{ text: "Warranty", heading: 1 }, { text: "The toaster warranty lasts two years." }]),
          },
          {
            name: "manual.pdf",
            bytes: pdf([["Descaling the kettle monthly keeps it quiet."], ["Page two covers the filter."]]),
          },
        ],
        { category: "manual", documentType: "policy", tags: "kitchen, support" },
      ),
    );
    expect(res.status).toBe(202);
    const { data } = await res.json();
    expect(data).toHaveLength(4);
    expect(data[0]).toMatchObject({
      status: "pending",
      category: "manual",
      documentType: "policy",
      tags: ["kitchen", "support"],
    });

    const done = await Promise.all(data.map((d: { id: string }) => settled(owner, d.id)));
    expect(done.map((d) => [d.title, d.status, d.error])).toEqual([
      ["returns.md", "ready", null],
      ["shipping.html", "ready", null],
      ["warranty.docx", "ready", null],
      ["manual.pdf", "ready", null],
    ]);
    expect(done[3]).toMatchObject({ mimeType: "application/pdf", pages: 2, progress: 100 });
    for (const d of done) expect(d.chunkCount).toBeGreaterThan(0);

    const pdfChunks = await (await owner.get(`/api/v1/knowledge/documents/${done[3].id}/chunks`)).json();
    expect(pdfChunks.data[0]).toMatchObject({ page: 1, embeddedWith: [] });
    const docxChunks = await (await owner.get(`/api/v1/knowledge/documents/${done[2].id}/chunks`)).json();
    expect(docxChunks.data).toEqual([
      expect.objectContaining({
        ordinal: 0,
        headingPath: ["Warranty"],
        content: "The toaster warranty lasts two years.",
      }),
    ]);
    const htmlChunks = await (await owner.get(`/api/v1/knowledge/documents/${done[1].id}/chunks`)).json();
    expect(htmlChunks.data[0].content).not.toContain("Menu");

    // The bytes are kept for re-ingest.
    const files = await db().select({ id: documentFiles.documentId }).from(documentFiles);
    expect(files.map((f) => f.id)).toEqual(expect.arrayContaining(done.map((d) => d.id)));

    const found = await retrieveKnowledge(
      db(),
      { id: "bot_none", workspaceId: ws.workspace.id, faqEntries: [] },
      "how long is the toaster warranty?",
    );
    expect(found[0]).toMatchObject({
      kind: "passage",
      title: "warranty.docx",
      content: "The toaster warranty lasts two years.",
    });

    const source2 = await (await owner.get(`/api/v1/knowledge/sources/${source.id}`)).json();
    expect(source2).toMatchObject({ status: "ready", progress: 100, counts: { documents: 4, ready: 4, failed: 0 } });
    expect(source2.counts.chunks).toBeGreaterThanOrEqual(4);

    // Live: each document went processing → ready over the socket, to the workspace room.
    const moves = events.filter(
      (e) => e.event === SOCKET_EVENTS.knowledgeUpdated && e.payload.document?.id === done[0].id,
    );
    expect(moves.every((e) => e.room === `workspace:${ws.workspace.id}`)).toBe(true);
    expect(moves.map((e) => e.payload.document.status)).toContain("processing");
    expect(moves.at(-1)!.payload.document).toMatchObject({ status: "ready", progress: 100 });
  });

  it("ends a damaged file or a ZIP bomb `failed` with a reason, never stuck processing, and the source says failed", async () => {
    const { owner } = await setup();
    const source = await createSource(owner, { name: "Broken", type: "document" });
    const res = await upload(
      owner,
      source.id,
      form([
        { name: "broken.pdf", bytes: "%PDF-1.7\nthis is not really a pdf" },
        { name: "bomb.docx", bytes: zipBomb(210) },
      ]),
    );
    expect(res.status).toBe(202);
    const { data } = await res.json();
    const [broken, bomb] = await Promise.all(data.map((d: { id: string }) => settled(owner, d.id)));
    expect(broken).toMatchObject({ status: "failed", chunkCount: 0 });
    expect(broken.error).toMatch(/broken\.pdf cannot be read: it is not a valid PDF/);
    expect(bomb).toMatchObject({ status: "failed" });
    expect(bomb.error).toMatch(/ZIP bomb/);
    const after = await (await owner.get(`/api/v1/knowledge/sources/${source.id}`)).json();
    expect(after).toMatchObject({ status: "failed", counts: { failed: 2 } });
    expect(after.error).toBeTruthy();
  });

  it("retries a failure that is not the file's (the database) and, once the attempts are used up, ends `failed`", async () => {
    const { owner } = await setup();
    const source = await createSource(owner, { name: "Unlucky", type: "text" });
    // The chunks cannot be written while the table is away: every attempt fails in the database.
    await db().execute(sql`alter table chunk rename to chunk_away`);
    try {
      const res = await owner.request("POST", `/api/v1/knowledge/sources/${source.id}/text`, {
        title: "Hours",
        content: "We open at nine.",
      });
      const { id } = await res.json();
      // Read from the table (the API counts chunks, which are away).
      const deadline = Date.now() + 60_000;
      let row: typeof documents.$inferSelect | undefined;
      for (;;) {
        [row] = await db().select().from(documents).where(eq(documents.id, id));
        if (row?.status === "failed" || row?.status === "ready" || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(row).toMatchObject({
        status: "failed",
        error: "The document could not be read after several attempts. Re-ingest it, or upload it again.",
      });
    } finally {
      await db().execute(sql`alter table chunk_away rename to chunk`);
    }
  });

  it("refuses a file past KNOWLEDGE_MAX_FILE_MB (413), a type it cannot read (415) and too many files (400), storing nothing", async () => {
    const { owner } = await setup();
    const source = await createSource(owner, { name: "Limits", type: "document" });
    const big = await upload(owner, source.id, form([{ name: "big.txt", bytes: "a".repeat(1024 * 1024 + 1) }]));
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe("file_too_large");
    const exe = await upload(
      owner,
      source.id,
      form([
        { name: "fine.txt", bytes: "fine" },
        { name: "setup.pdf", bytes: new Uint8Array([0x4d, 0x5a, 0x90, 0, 3, 0]) },
      ]),
    );
    expect(exe.status).toBe(415);
    expect((await exe.json()).error).toMatchObject({
      code: "unsupported_file_type",
      message: expect.stringContaining("setup.pdf"),
    });
    const many = await upload(
      owner,
      source.id,
      form(Array.from({ length: 21 }, (_, i) => ({ name: `${i}.txt`, bytes: "x" }))),
    );
    expect(many.status).toBe(400);
    const listed = await (await owner.get(`/api/v1/knowledge/sources/${source.id}/documents`)).json();
    expect(listed.data).toEqual([]);
  });

  it("re-ingests a document (chunks replaced), updates its labels, and deleting removes its chunks", async () => {
    const { owner } = await setup();
    const source = await createSource(owner, { name: "Notes", type: "text" });
    const created = await owner.request("POST", `/api/v1/knowledge/sources/${source.id}/text`, {
      title: "Store hours",
      content: "# Hours\n\nWe open at nine and close at six.",
      tags: ["hours"],
    });
    expect(created.status).toBe(202);
    const doc = await settled(owner, (await created.json()).id);
    const before = await db().select().from(chunks).where(eq(chunks.documentId, doc.id));
    expect(before.map((c) => c.content)).toEqual(["We open at nine and close at six."]);
    expect(before[0]!.searchTerms).toBe("Hours");

    const re = await owner.request("POST", `/api/v1/knowledge/documents/${doc.id}/reingest`);
    expect(re.status).toBe(202);
    const again = await settled(owner, doc.id);
    expect(again.status).toBe("ready");
    const after = await db().select().from(chunks).where(eq(chunks.documentId, doc.id));
    expect(after).toHaveLength(1);
    expect(after[0]!.id).not.toBe(before[0]!.id);

    const patched = await owner.request("PATCH", `/api/v1/knowledge/documents/${doc.id}`, {
      category: "store",
      tags: ["a", "b"],
    });
    expect(await patched.json()).toMatchObject({ category: "store", tags: ["a", "b"], chunkCount: 1 });

    expect((await owner.request("DELETE", `/api/v1/knowledge/documents/${doc.id}`)).status).toBe(204);
    expect(await db().select().from(chunks).where(eq(chunks.documentId, doc.id))).toEqual([]);
    expect((await owner.get(`/api/v1/knowledge/documents/${doc.id}`)).status).toBe(404);
  });
});

describe("Thai text", () => {
  it("is chunked between words and found by full text through its bigram terms", async () => {
    const { owner } = await setup();
    const source = await createSource(owner, { name: "ภาษาไทย", type: "text" });
    const res = await owner.request("POST", `/api/v1/knowledge/sources/${source.id}/text`, {
      title: "ติดต่อ",
      content: "# การติดต่อ\n\nลูกค้าสามารถขอคุยกับพนักงานได้ทุกวันตั้งแต่เก้าโมงเช้าถึงหกโมงเย็น",
    });
    const doc = await settled(owner, (await res.json()).id);
    expect(doc).toMatchObject({ status: "ready", language: "th" });
    const query = bigramQueryTerms("พนักงาน").join(" & ");
    const found = await db()
      .select({ id: chunks.id, content: chunks.content })
      .from(chunks)
      .where(and(eq(chunks.documentId, doc.id), sql`${chunks.search} @@ to_tsquery('simple', ${query})`));
    expect(found).toHaveLength(1);
    expect(found[0]!.content).toContain("ขอคุยกับพนักงาน");
    const passages = (await (await owner.get(`/api/v1/knowledge/documents/${doc.id}/chunks`)).json()).data;
    expect(passages[0].headingPath).toEqual(["การติดต่อ"]);
    // A word that is not there is not found.
    const none = await db()
      .select({ id: chunks.id })
      .from(chunks)
      .where(
        and(
          eq(chunks.documentId, doc.id),
          sql`${chunks.search} @@ to_tsquery('simple', ${bigramQueryTerms("ร้านอาหาร").join(" & ")})`,
        ),
      );
    expect(none).toEqual([]);
  });
});

describe("FAQ entries", () => {
  it("adds, edits and deletes entries, each one passage that retrieval finds", async () => {
    const { ws, owner } = await setup();
    const faq = await createSource(owner, { name: "FAQ", type: "faq" });
    const res = await owner.request("POST", `/api/v1/knowledge/sources/${faq.id}/faq`, {
      question: "Do you deliver to Phuket?",
      answer: "Yes, in two days.",
      tags: ["delivery"],
    });
    expect(res.status).toBe(201);
    const entry = await res.json();
    expect(entry).toMatchObject({ question: "Do you deliver to Phuket?", status: "ready", tags: ["delivery"] });
    const [chunk] = await db().select().from(chunks).where(eq(chunks.documentId, entry.id));
    expect(chunk!.content).toBe("Do you deliver to Phuket?\nYes, in two days.");

    const edited = await owner.request("PATCH", `/api/v1/knowledge/faq/${entry.id}`, { answer: "Yes, in three days." });
    expect(await edited.json()).toMatchObject({ answer: "Yes, in three days." });
    const found = await retrieveKnowledge(
      db(),
      { id: "bot_x", workspaceId: ws.workspace.id, faqEntries: [] },
      "deliver to Phuket",
    );
    // Retrieved as an FAQ entry: the question as its title, the answer alone as its content.
    expect(found[0]).toMatchObject({
      kind: "faq",
      title: "Do you deliver to Phuket?",
      content: "Yes, in three days.",
      documentId: entry.id,
    });

    const list = await (await owner.get(`/api/v1/knowledge/sources/${faq.id}/faq`)).json();
    expect(list.data).toHaveLength(1);
    // A document of another kind is not an FAQ entry.
    const text = await createSource(owner, { name: "T", type: "text" });
    const doc = await (
      await owner.request("POST", `/api/v1/knowledge/sources/${text.id}/text`, { title: "t", content: "c" })
    ).json();
    expect((await owner.request("PATCH", `/api/v1/knowledge/faq/${doc.id}`, { answer: "x" })).status).toBe(404);

    expect((await owner.request("DELETE", `/api/v1/knowledge/faq/${entry.id}`)).status).toBe(204);
    expect(await db().select().from(chunks).where(eq(chunks.documentId, entry.id))).toEqual([]);
  });

  it("imports CSV (quotes, newlines, BOM, tags), reports bad rows by line, refuses a bad replace whole, and exports safely", async () => {
    const { owner } = await setup();
    const faq = await createSource(owner, { name: "Shop FAQ", type: "faq" });
    const csv = [
      "\uFEFFQuestion,Answer,Category,Tags",
      '"Can I pay by card?","Yes, Visa and ""Mastercard"".",payment,card;visa',
      '"Opening hours?","Mon-Fri 9-18',
      'Sat 10-14",hours,',
      ",no question here,,",
      '=HYPERLINK("http://evil"),-1 is not a price,,',
      "ส่งต่างประเทศไหม,ส่งได้ทั่วโลก,shipping,",
    ].join("\r\n");
    const res = await owner.request("POST", `/api/v1/knowledge/sources/${faq.id}/faq/import`, csv, {
      "content-type": "text/csv",
    });
    expect(res.status).toBe(200);
    const result = await res.json();
    expect(result).toEqual({
      imported: 4,
      skipped: 1,
      errors: [{ line: 5, message: expect.stringContaining("question") }],
    });
    const list = (await (await owner.get(`/api/v1/knowledge/sources/${faq.id}/faq`)).json()).data;
    expect(list[0]).toMatchObject({
      question: "Can I pay by card?",
      answer: 'Yes, Visa and "Mastercard".',
      category: "payment",
      tags: ["card", "visa"],
    });
    expect(list[1].answer).toBe("Mon-Fri 9-18\nSat 10-14");

    const exported = await owner.get(`/api/v1/knowledge/sources/${faq.id}/faq/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers.get("content-type")).toMatch(/^text\/csv/);
    const bytes = new Uint8Array(await exported.arrayBuffer());
    // A byte-order mark, so spreadsheets read the Thai as UTF-8.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes);
    expect(text.startsWith("question,answer,category,tags\r\n")).toBe(true);
    expect(text).toContain('"Yes, Visa and ""Mastercard""."');
    expect(text).toContain("'=HYPERLINK");
    expect(text).toContain("'-1 is not a price");
    expect(text).toContain('"Mon-Fri 9-18\nSat 10-14"');

    // Round trip: the export imported with `replace` gives the same entries (formula-like cells now start with ').
    const multipart = form([{ name: "faq.csv", bytes: text, type: "text/csv" }], {}, "file");
    const replaced = await owner.request(
      "POST",
      `/api/v1/knowledge/sources/${faq.id}/faq/import?mode=replace`,
      multipart,
    );
    expect(await replaced.json()).toEqual({ imported: 4, skipped: 0, errors: [] });
    const again = (await (await owner.get(`/api/v1/knowledge/sources/${faq.id}/faq`)).json()).data;
    expect(
      again.map((e: { question: string; answer: string; tags: string[] }) => [e.question, e.answer, e.tags]),
    ).toEqual(
      list.map((e: { question: string; answer: string; tags: string[] }) => [
        e.question.replace(/^[=+\-@]/, "'$&"),
        e.answer.replace(/^[=+\-@]/, "'$&"),
        e.tags,
      ]),
    );

    // `replace` with one bad row changes nothing.
    const bad = await owner.request(
      "POST",
      `/api/v1/knowledge/sources/${faq.id}/faq/import?mode=replace`,
      "question,answer\nOnly one?,Yes\n,missing\n",
      { "content-type": "text/csv" },
    );
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details).toEqual([expect.objectContaining({ line: 3 })]);
    expect((await (await owner.get(`/api/v1/knowledge/sources/${faq.id}/faq`)).json()).data).toHaveLength(4);

    const noHeader = await owner.request("POST", `/api/v1/knowledge/sources/${faq.id}/faq/import`, "q,a\nx,y\n", {
      "content-type": "text/csv",
    });
    expect(noHeader.status).toBe(400);
    const unclosed = await owner.request(
      "POST",
      `/api/v1/knowledge/sources/${faq.id}/faq/import`,
      'question,answer\n"x,y\n',
      {
        "content-type": "text/csv",
      },
    );
    expect(unclosed.status).toBe(400);
    expect((await unclosed.json()).error.message).toMatch(/line 2/);
  });
});
