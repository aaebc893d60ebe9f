import type { Runtime } from "@tandem/core";
import { auditLogs } from "@tandem/db";
import {
  createChannel,
  createChatbot,
  createContact,
  createConversation,
  createMessage,
  createTestWorkspace,
} from "@tandem/db/testing";
import { and, eq } from "drizzle-orm";
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
afterAll(() => runtime.close());

const db = () => runtime.database.db;
const at = (minutes: number) => new Date(Date.UTC(2026, 10, 1, 9, minutes));

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

/** A workspace with a Messenger Page and a LINE account, a chatbot, and one message of each kind of author. */
async function fixture() {
  const ws = await createSignInWorkspace(runtime);
  const workspaceId = ws.workspace.id;
  const bot = await createChatbot(db(), { workspaceId, name: "Bakery bot" });
  const page = await createChannel(db(), { workspaceId, type: "messenger", name: "Bakery Page" });
  const line = await createChannel(db(), { workspaceId, type: "line", name: "Bakery LINE" });
  const somchai = await createContact(db(), { workspaceId, channelId: line.id, name: "Somchai" });
  const zoe = await createContact(db(), { workspaceId, channelId: page.id, name: "Zoë" });
  const onLine = await createConversation(db(), {
    workspaceId,
    channelId: line.id,
    contactId: somchai.id,
    chatbotId: bot.id,
  });
  const onPage = await createConversation(db(), { workspaceId, channelId: page.id, contactId: zoe.id });
  const thai = await createMessage(db(), {
    conversationId: onLine.id,
    text: "ขอคุยกับพนักงานหน่อยครับ",
    createdAt: at(1),
  });
  const botReply = await createMessage(db(), {
    conversationId: onLine.id,
    role: "BOT",
    status: "sent",
    text: "สวัสดีครับ ยินดีให้บริการ",
    provider: "OPENAI",
    model: "gpt-4o-mini",
    latencyMs: 812,
    usage: { inputTokens: 420, outputTokens: 37 },
    createdAt: at(2),
  });
  const accented = await createMessage(db(), {
    conversationId: onPage.id,
    text: "Crème brûlée today?",
    createdAt: at(3),
  });
  const failed = await createMessage(db(), {
    conversationId: onPage.id,
    role: "AGENT",
    status: "failed",
    authorMemberId: ws.agent.member.id,
    text: "Yes, until 5 pm",
    errorCode: "outside_messaging_window",
    errorMessage: "The 24-hour window has closed",
    attachments: [{ type: "image", url: "https://example.test/a.png" }],
    createdAt: at(4),
  });
  const note = await createMessage(db(), {
    conversationId: onPage.id,
    role: "AGENT",
    kind: "note",
    status: "sent",
    authorMemberId: ws.admin.member.id,
    text: "VIP customer",
    createdAt: at(5),
  });
  const system = await createMessage(db(), {
    conversationId: onPage.id,
    role: "SYSTEM",
    kind: "event",
    status: "sent",
    text: "Conversation closed",
    createdAt: at(6),
  });
  // Never in the log: a playground test chat, and another workspace's messages.
  const playground = await createConversation(db(), { workspaceId, isPlayground: true, chatbotId: bot.id });
  await createMessage(db(), { conversationId: playground.id, text: "playground Crème", createdAt: at(7) });
  const other = await createTestWorkspace(db());
  const elsewhere = await createConversation(db(), { workspaceId: other.workspace.id });
  await createMessage(db(), { conversationId: elsewhere.id, text: "other Crème", createdAt: at(8) });
  const admin = await signedIn(ws.admin.user.email);
  return { ws, bot, page, line, onLine, onPage, thai, botReply, accented, failed, note, system, admin };
}

type Body = { data: { id: string }[]; nextCursor: string | null };
const ids = async (client: TestClient, query = "") => {
  const res = await client.get(`/api/v1/logs/messages${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as Body).data.map((m) => m.id);
};

describe("GET /api/v1/logs/messages", () => {
  it("lists every message of the workspace newest first, with who wrote it and how, without playground or other workspaces", async () => {
    const f = await fixture();
    const res = await f.admin.get("/api/v1/logs/messages");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.data.map((m: { id: string }) => m.id)).toEqual([
      f.system.id,
      f.note.id,
      f.failed.id,
      f.accented.id,
      f.botReply.id,
      f.thai.id,
    ]);
    expect(body.nextCursor).toBeNull();
    const byId = new Map(body.data.map((m: { id: string }) => [m.id, m]));
    expect(byId.get(f.botReply.id)).toMatchObject({
      conversationId: f.onLine.id,
      channel: { id: f.line.id, type: "line", name: "Bakery LINE" },
      contact: { name: "Somchai" },
      role: "BOT",
      author: { type: "bot", id: f.bot.id, name: "Bakery bot" },
      provider: "OPENAI",
      model: "gpt-4o-mini",
      latencyMs: 812,
      inputTokens: 420,
      outputTokens: 37,
      createdAt: at(2).toISOString(),
    });
    expect(byId.get(f.failed.id)).toMatchObject({
      status: "failed",
      author: { type: "agent", id: f.ws.agent.member.id, name: f.ws.agent.user.name },
      errorCode: "outside_messaging_window",
      errorMessage: "The 24-hour window has closed",
      attachments: 1,
    });
    expect(byId.get(f.thai.id)).toMatchObject({ author: { type: "customer", name: "Somchai" } });
    expect(byId.get(f.system.id)).toMatchObject({ author: { type: "system", name: null }, kind: "event" });
  });

  it("filters by channel, channel type, chatbot, agent, role, kind, status, conversation and time range", async () => {
    const f = await fixture();
    expect(await ids(f.admin, `?channelId=${f.line.id}`)).toEqual([f.botReply.id, f.thai.id]);
    expect(await ids(f.admin, "?channelType=messenger")).toEqual([f.system.id, f.note.id, f.failed.id, f.accented.id]);
    expect(await ids(f.admin, `?chatbotId=${f.bot.id}`)).toEqual([f.botReply.id, f.thai.id]);
    expect(await ids(f.admin, `?agentId=${f.ws.admin.member.id}`)).toEqual([f.note.id]);
    expect(await ids(f.admin, "?role=AGENT")).toEqual([f.note.id, f.failed.id]);
    expect(await ids(f.admin, "?kind=note")).toEqual([f.note.id]);
    expect(await ids(f.admin, "?status=failed")).toEqual([f.failed.id]);
    expect(await ids(f.admin, `?conversationId=${f.onLine.id}`)).toEqual([f.botReply.id, f.thai.id]);
    const range = `?from=${encodeURIComponent(at(2).toISOString())}&to=${encodeURIComponent(at(4).toISOString())}`;
    expect(await ids(f.admin, range)).toEqual([f.accented.id, f.botReply.id]);
    expect(await ids(f.admin, `?role=AGENT&channelId=${f.page.id}&status=failed`)).toEqual([f.failed.id]);
  });

  it("searches the text as the inbox does: any case, accents ignored, Thai inside words", async () => {
    const f = await fixture();
    expect(await ids(f.admin, `?text=${encodeURIComponent("CREME brulee")}`)).toEqual([f.accented.id]);
    expect(await ids(f.admin, `?text=${encodeURIComponent("พนักงาน")}`)).toEqual([f.thai.id]);
    expect(await ids(f.admin, `?text=${encodeURIComponent("ยินดี")}&role=BOT`)).toEqual([f.botReply.id]);
    expect(await ids(f.admin, "?text=nothing-like-this")).toEqual([]);
  });

  it("pages without gaps or repeats when many messages share one timestamp", async () => {
    const ws = await createSignInWorkspace(runtime);
    const conversation = await createConversation(db(), { workspaceId: ws.workspace.id });
    const created = [];
    for (let i = 0; i < 7; i++)
      created.push(await createMessage(db(), { conversationId: conversation.id, createdAt: at(0) }));
    const admin = await signedIn(ws.owner.user.email);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await admin.get(`/api/v1/logs/messages?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      const body = (await res.json()) as Body;
      seen.push(...body.data.map((m) => m.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(
      created
        .map((m) => m.id)
        .sort()
        .reverse(),
    );
  });

  it("cuts long text in the list and says so", async () => {
    const ws = await createSignInWorkspace(runtime);
    const conversation = await createConversation(db(), { workspaceId: ws.workspace.id });
    await createMessage(db(), { conversationId: conversation.id, text: "ก".repeat(700) });
    const admin = await signedIn(ws.admin.user.email);
    const [entry] = (await (await admin.get("/api/v1/logs/messages")).json()).data;
    expect(entry.text).toBe("ก".repeat(500));
    expect(entry.textTruncated).toBe(true);
  });

  it("is for OWNER and ADMIN: an AGENT is refused, and bad input is a clear 400", async () => {
    const f = await fixture();
    const agent = await signedIn(f.ws.agent.user.email);
    const refused = await agent.get("/api/v1/logs/messages");
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe("forbidden");
    expect((await agent.get("/api/v1/logs/messages.csv")).status).toBe(403);
    expect((await new TestClient(app).get("/api/v1/logs/messages")).status).toBe(401);

    const backwards = await f.admin.get(
      `/api/v1/logs/messages?from=${encodeURIComponent(at(5).toISOString())}&to=${encodeURIComponent(at(1).toISOString())}`,
    );
    expect(backwards.status).toBe(400);
    expect((await f.admin.get("/api/v1/logs/messages?role=ROBOT")).status).toBe(400);
    expect((await f.admin.get("/api/v1/logs/messages?from=yesterday")).status).toBe(400);
    const badCursor = await f.admin.get("/api/v1/logs/messages?cursor=nonsense");
    expect(badCursor.status).toBe(400);
    expect((await badCursor.json()).error.code).toBe("invalid_cursor");
  });
});

describe("GET /api/v1/logs/messages.csv", () => {
  it("streams the filtered log as CSV with a BOM, escaped cells and formulas kept as text, and records the export", async () => {
    const f = await fixture();
    await createMessage(db(), {
      conversationId: f.onPage.id,
      text: '=HYPERLINK("http://evil.test","click"), then\nsay "hi"',
      createdAt: at(9),
    });
    const res = await f.admin.get("/api/v1/logs/messages.csv?channelType=messenger&role=USER");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="tandem-messages-.*\.csv"$/);
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    // Rows end in CRLF; the line break inside the text is a bare LF within its quoted cell.
    const [header, formula, accented, ...rest] = text.split("\r\n");
    expect(header).toBe(
      "time,message_id,conversation_id,channel_type,channel,contact,role,author,kind,status,text,attachments,error_code,error_message,provider,model,latency_ms,input_tokens,output_tokens",
    );
    // The formula cell is quoted, its quotes doubled, its line break kept, and it starts with a '.
    expect(formula).toContain(
      `,messenger,Bakery Page,Zoë,USER,Zoë,text,received,"'=HYPERLINK(""http://evil.test"",""click""), then\nsay ""hi""",0,`,
    );
    expect(accented).toBe(
      `${at(3).toISOString()},${f.accented.id},${f.onPage.id},messenger,Bakery Page,Zoë,USER,Zoë,text,received,Crème brûlée today?,0,,,,,,,`,
    );
    expect(rest).toEqual([""]);

    const [audit] = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, f.ws.workspace.id), eq(auditLogs.action, "logs.export")));
    expect(audit).toMatchObject({
      actorUserId: f.ws.admin.user.id,
      entityType: "message_log",
      after: { format: "csv", filters: { channelType: "messenger", role: "USER" } },
    });
  });

  it("exports Thai whole and bot details, and refuses bad filters before writing anything", async () => {
    const f = await fixture();
    const res = await f.admin.get(`/api/v1/logs/messages.csv?channelId=${f.line.id}`);
    const lines = (await res.text()).replace(/^\uFEFF/, "").split("\r\n");
    expect(lines[1]).toBe(
      `${at(2).toISOString()},${f.botReply.id},${f.onLine.id},line,Bakery LINE,Somchai,BOT,Bakery bot,text,sent,สวัสดีครับ ยินดีให้บริการ,0,,,OPENAI,gpt-4o-mini,812,420,37`,
    );
    expect(lines[2]).toContain(",Somchai,USER,Somchai,text,received,ขอคุยกับพนักงานหน่อยครับ,0,");
    const bad = await f.admin.get("/api/v1/logs/messages.csv?status=lost");
    expect(bad.status).toBe(400);
    const audits = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, f.ws.workspace.id), eq(auditLogs.action, "logs.export")));
    expect(audits).toHaveLength(1);
  });
});
