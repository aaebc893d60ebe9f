import { readFileSync } from "node:fs";
import path from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Database, MIGRATIONS_FOLDER, migrate, migrationStatus, rowsOf } from "./client.ts";
import {
  analyticsDaily,
  channels,
  chatbots,
  chunkEmbeddings,
  conversations,
  messages,
  promptVersions,
} from "./schema/index.ts";
import {
  createChannel,
  createChatbot,
  createContact,
  createConversation,
  createMessage,
  createTestWorkspace,
} from "./testing/index.ts";

/** The PostgreSQL error code behind a failed query, whether or not drizzle wrapped the error. */
async function pgErrorCode(query: PromiseLike<unknown>): Promise<string | undefined> {
  try {
    await query;
  } catch (error) {
    const e = error as { code?: string; cause?: { code?: string } };
    return e.cause?.code ?? e.code;
  }
  return undefined;
}

const UNIQUE_VIOLATION = "23505";
const CHECK_VIOLATION = "23514";

let database: Database;

beforeAll(async () => {
  database = await createDb();
  await migrate(database);
});

afterAll(async () => {
  await database?.close();
});

describe("migrations", () => {
  it("applies every committed migration and reports nothing pending", async () => {
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, "meta/_journal.json"), "utf8"));
    const expected = journal.entries.length as number;
    expect(expected).toBeGreaterThan(1);
    expect(await migrationStatus(database.db)).toEqual({ applied: expected, expected, pending: 0 });
    await migrate(database);
    expect(await migrationStatus(database.db)).toEqual({ applied: expected, expected, pending: 0 });
  });

  it("creates chunk_embedding with the vector extension and accepts any dimension", async () => {
    const { db } = database;
    const ext = rowsOf<{ extname: string }>(
      await db.execute(sql`SELECT extname FROM pg_extension WHERE extname = 'vector'`),
    );
    expect(ext).toHaveLength(1);

    const { workspace } = await createTestWorkspace(db);
    const [{ id: sourceId }] = rowsOf<{ id: string }>(
      await db.execute(
        sql`INSERT INTO knowledge_source (id, workspace_id, type, name) VALUES ('ks_t1', ${workspace.id}, 'text', 'Notes') RETURNING id`,
      ),
    ) as [{ id: string }];
    await db.execute(
      sql`INSERT INTO document (id, workspace_id, source_id, title) VALUES ('doc_t1', ${workspace.id}, ${sourceId}, 'Returns')`,
    );
    await db.execute(
      sql`INSERT INTO chunk (id, workspace_id, document_id, source_id, ordinal, content)
          VALUES ('chk_t1', ${workspace.id}, 'doc_t1', ${sourceId}, 0, 'Returns are free within thirty days')`,
    );
    await db.insert(chunkEmbeddings).values([
      { chunkId: "chk_t1", workspaceId: workspace.id, model: "small", dimensions: 3, embedding: [1, 0, 0] },
      { chunkId: "chk_t1", workspaceId: workspace.id, model: "large", dimensions: 5, embedding: [0, 1, 0, 0, 0] },
    ]);
    const nearest = rowsOf<{ model: string; distance: number }>(
      await db.execute(
        sql`SELECT model, embedding <=> '[1,0,0]'::vector AS distance FROM chunk_embedding WHERE model = 'small'`,
      ),
    );
    expect(nearest).toEqual([{ model: "small", distance: 0 }]);
    const [stored] = await db.select().from(chunkEmbeddings).where(eq(chunkEmbeddings.model, "large"));
    expect(stored?.embedding).toEqual([0, 1, 0, 0, 0]);

    const found = rowsOf<{ id: string }>(
      await db.execute(sql`SELECT id FROM chunk WHERE search @@ plainto_tsquery('simple', 'thirty days')`),
    );
    expect(found.map((r) => r.id)).toEqual(["chk_t1"]);
  });

  it("succeeds without pgvector, leaving chunk_embedding out", async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    const client = await PGlite.create();
    try {
      // PGlite offers vector only when the extension is loaded, like a server without the package.
      const available = await client.query("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'");
      await run(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
      const table = await client.query<{ t: string | null }>("SELECT to_regclass('chunk_embedding')::text AS t");
      const chunk = await client.query<{ t: string | null }>("SELECT to_regclass('chunk')::text AS t");
      expect(available.rows).toEqual([]);
      expect(chunk.rows[0]?.t).toBe("chunk");
      expect(table.rows[0]?.t).toBeNull();
    } finally {
      await client.close();
    }
  });
});

describe("unique keys", () => {
  it("keeps one message per (channel, platform message id) and allows many without an id", async () => {
    const { db } = database;
    const { workspace } = await createTestWorkspace(db);
    const conversation = await createConversation(db, { workspaceId: workspace.id });

    await createMessage(db, { conversationId: conversation.id, platformMessageId: "m_1" });
    expect(await pgErrorCode(createMessage(db, { conversationId: conversation.id, platformMessageId: "m_1" }))).toBe(
      UNIQUE_VIOLATION,
    );
    const again = await db
      .insert(messages)
      .values({
        workspaceId: workspace.id,
        conversationId: conversation.id,
        channelId: conversation.channelId,
        role: "USER",
        status: "received",
        text: "duplicate delivery",
        platformMessageId: "m_1",
      })
      .onConflictDoNothing({ target: [messages.channelId, messages.platformMessageId] })
      .returning();
    expect(again).toEqual([]);

    await createMessage(db, {
      conversationId: conversation.id,
      role: "BOT",
      status: "queued",
      platformMessageId: null,
    });
    await createMessage(db, {
      conversationId: conversation.id,
      role: "BOT",
      status: "queued",
      platformMessageId: null,
    });

    const other = await createTestWorkspace(db);
    const otherConversation = await createConversation(db, { workspaceId: other.workspace.id });
    await createMessage(db, { conversationId: otherConversation.id, platformMessageId: "m_1" });

    const rows = await db.select().from(messages).where(eq(messages.conversationId, conversation.id));
    expect(rows).toHaveLength(3);
  });

  it("finds messages by full-text search", async () => {
    const { db } = database;
    const { workspace } = await createTestWorkspace(db);
    const conversation = await createConversation(db, { workspaceId: workspace.id });
    const hit = await createMessage(db, { conversationId: conversation.id, text: "Where is my parcel?" });
    await createMessage(db, { conversationId: conversation.id, text: "Thanks!" });
    const found = await db
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(eq(messages.workspaceId, workspace.id), sql`${messages.search} @@ plainto_tsquery('simple', 'parcel')`),
      );
    expect(found).toEqual([{ id: hit.id }]);
  });

  it("keeps one inbox conversation per channel and contact; playground ones need neither", async () => {
    const { db } = database;
    const { workspace } = await createTestWorkspace(db);
    const channel = await createChannel(db, { workspaceId: workspace.id });
    const contact = await createContact(db, { workspaceId: workspace.id, channelId: channel.id });
    await createConversation(db, { workspaceId: workspace.id, channelId: channel.id, contactId: contact.id });
    expect(
      await pgErrorCode(
        createConversation(db, { workspaceId: workspace.id, channelId: channel.id, contactId: contact.id }),
      ),
    ).toBe(UNIQUE_VIOLATION);

    const chatbot = await createChatbot(db, { workspaceId: workspace.id });
    await createConversation(db, { workspaceId: workspace.id, isPlayground: true, chatbotId: chatbot.id });
    await createConversation(db, { workspaceId: workspace.id, isPlayground: true, chatbotId: chatbot.id });
    expect(
      await pgErrorCode(db.insert(conversations).values({ workspaceId: workspace.id, channelId: channel.id })),
    ).toBe(CHECK_VIOLATION);
  });

  it("connects a page to one workspace at a time", async () => {
    const { db } = database;
    const a = await createTestWorkspace(db);
    const b = await createTestWorkspace(db);
    const page = await createChannel(db, { workspaceId: a.workspace.id, externalId: "page-42" });
    expect(await pgErrorCode(createChannel(db, { workspaceId: b.workspace.id, externalId: "page-42" }))).toBe(
      UNIQUE_VIOLATION,
    );
    await createChannel(db, { workspaceId: b.workspace.id, type: "line", externalId: "page-42" });

    await db
      .update(channels)
      .set({ status: "disconnected", disconnectedAt: new Date() })
      .where(eq(channels.id, page.id));
    const moved = await createChannel(db, { workspaceId: b.workspace.id, externalId: "page-42" });
    expect(moved.workspaceId).toBe(b.workspace.id);

    await createChannel(db, { workspaceId: a.workspace.id, type: "web" });
    await createChannel(db, { workspaceId: a.workspace.id, type: "web" });
  });

  it("allows one default chatbot per workspace, ignoring deleted ones", async () => {
    const { db } = database;
    const a = await createTestWorkspace(db);
    const b = await createTestWorkspace(db);
    const first = await createChatbot(db, { workspaceId: a.workspace.id, isDefault: true });
    await createChatbot(db, { workspaceId: b.workspace.id, isDefault: true });
    expect(await pgErrorCode(createChatbot(db, { workspaceId: a.workspace.id, isDefault: true }))).toBe(
      UNIQUE_VIOLATION,
    );
    await db.update(chatbots).set({ deletedAt: new Date() }).where(eq(chatbots.id, first.id));
    await createChatbot(db, { workspaceId: a.workspace.id, isDefault: true });
  });

  it("upserts one analytics row per day even without a chatbot", async () => {
    const { db } = database;
    const { workspace } = await createTestWorkspace(db);
    const upsert = (messagesIn: number) =>
      db
        .insert(analyticsDaily)
        .values({
          workspaceId: workspace.id,
          chatbotId: null,
          channelType: "messenger",
          date: "2025-01-01",
          messagesIn,
        })
        .onConflictDoUpdate({
          target: [
            analyticsDaily.workspaceId,
            analyticsDaily.chatbotId,
            analyticsDaily.channelType,
            analyticsDaily.date,
          ],
          set: { messagesIn },
        });
    await upsert(3);
    await upsert(5);
    const rows = await db.select().from(analyticsDaily).where(eq(analyticsDaily.workspaceId, workspace.id));
    expect(rows.map((r) => r.messagesIn)).toEqual([5]);
  });

  it("builds isolated test workspaces with an owner, an admin and an agent", async () => {
    const { db } = database;
    const a = await createTestWorkspace(db);
    const b = await createTestWorkspace(db);
    expect(a.workspace.id).not.toBe(b.workspace.id);
    expect([a.owner.member.role, a.admin.member.role, a.agent.member.role]).toEqual(["OWNER", "ADMIN", "AGENT"]);
    expect(new Set([a.owner.user.email, a.admin.user.email, b.owner.user.email]).size).toBe(3);
  });

  it("resolves the relations used by the inbox and the chatbot pages", async () => {
    const { db } = database;
    const { workspace, agent } = await createTestWorkspace(db);
    const chatbot = await createChatbot(db, { workspaceId: workspace.id });
    const [version] = await db
      .insert(promptVersions)
      .values({ chatbotId: chatbot.id, version: 1, text: "Be kind.", authorId: agent.user.id })
      .returning();
    await db.update(chatbots).set({ currentPromptVersionId: version?.id }).where(eq(chatbots.id, chatbot.id));
    const conversation = await createConversation(db, {
      workspaceId: workspace.id,
      chatbotId: chatbot.id,
      assigneeId: agent.member.id,
    });
    await createMessage(db, { conversationId: conversation.id, text: "Hi" });

    const loaded = await db.query.conversations.findFirst({
      where: eq(conversations.id, conversation.id),
      with: { contact: true, channel: true, chatbot: true, assignee: true, messages: true },
    });
    expect(loaded?.contact?.id).toBe(conversation.contactId);
    expect(loaded?.assignee?.id).toBe(agent.member.id);
    expect(loaded?.messages.map((m) => m.text)).toEqual(["Hi"]);

    const bot = await db.query.chatbots.findFirst({
      where: eq(chatbots.id, chatbot.id),
      with: { currentPromptVersion: true, promptVersions: true },
    });
    expect(bot?.currentPromptVersion?.text).toBe("Be kind.");
    expect(bot?.promptVersions).toHaveLength(1);
  });
});
