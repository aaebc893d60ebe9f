/**
 * Retrieval on a real PostgreSQL server without pgvector (Debian's): full text only, and the chatbot's
 * DTO, the search verb and the embedding scheduler all say so instead of failing.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, type Database, jobs, migrate, providerCredentials } from "@tandem/db";
import { createChatbot, createKnowledgePassage, createTestWorkspace } from "@tandem/db/testing";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  type PostgresServer,
  startPostgresServer,
} from "../../../../../tests/support/postgres-server.ts";
import { type AppJobDeps, appJobDeps } from "../../app-deps.ts";
import { retrieve } from "../../bots/retrieve-knowledge.ts";
import { updateChatbot } from "../../chatbots/update-chatbot.ts";
import { loadConfig } from "../../config.ts";
import type { Ctx } from "../../context.ts";
import { createJobQueue } from "../../jobs/create-queue.ts";
import type { JobQueue } from "../../jobs/queue.ts";
import { JobRegistry } from "../../jobs/registry.ts";
import { silentLogger } from "../../logger.ts";
import { createRuntime, type Runtime } from "../../runtime.ts";
import { generateKey } from "../../secrets/keyring.ts";
import { searchKnowledge } from "../search-knowledge.ts";
import { bigramTerms } from "../search-terms.ts";
import { embedKnowledge, scheduleEmbeddings } from "./embed-knowledge.ts";
import { vectorSupport } from "./vector-support.ts";

let postgres: PostgresServer;
let database: Database;
let runtime: Runtime;
let queue: JobQueue;

beforeAll(async () => {
  postgres = await startPostgresServer();
  database = await createDb({ databaseUrl: await createTestDatabase(postgres), poolSize: 3 });
  await migrate(database);
  const config = loadConfig({
    NODE_ENV: "test",
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "tandem-test-")),
    APP_URL: "http://localhost:3000",
    ENCRYPTION_KEY: generateKey(),
    AUTH_SECRET: "test-auth-secret-test-auth-secret-0123456789",
    LOG_LEVEL: "silent",
  });
  runtime = await createRuntime(config, { database, log: silentLogger });
  // Producer only: what would be enqueued stays in the `job` table.
  queue = createJobQueue<AppJobDeps>({
    db: database.db,
    registry: new JobRegistry<AppJobDeps>().register(embedKnowledge),
    deps: appJobDeps(runtime),
    log: silentLogger,
  });
}, 120_000);
afterAll(async () => {
  await queue?.stop();
  await runtime?.close();
  await postgres?.stop();
});

describe("retrieval on PostgreSQL without pgvector", () => {
  it("is full text only (Latin prefixes and Thai bigrams through the GIN index), and says so", async () => {
    const db = database.db;
    expect(database.vector).toBe(false);
    expect(await vectorSupport(db)).toMatchObject({ available: false });

    const ws = await createTestWorkspace(db);
    const [credential] = await db
      .insert(providerCredentials)
      .values({ workspaceId: ws.workspace.id, kind: "OPENAI", apiKeyEncrypted: runtime.keyring.encrypt("sk-x") })
      .returning();
    const chatbot = await createChatbot(db, { workspaceId: ws.workspace.id, faqEntries: [] });
    const gift = await createKnowledgePassage(db, {
      workspaceId: ws.workspace.id,
      chatbotId: chatbot.id,
      title: "Gifts",
      content: "Gift wrapping costs 50 THB per item.",
      category: "policies",
    });
    const thaiText = "จัดส่งสินค้าภายใน 2–4 วันทำการ";
    const thai = await createKnowledgePassage(db, {
      workspaceId: ws.workspace.id,
      title: "การจัดส่ง",
      content: thaiText,
      searchTerms: bigramTerms(thaiText).join(" "),
    });
    const ctx: Ctx = {
      db,
      workspaceId: ws.workspace.id,
      actor: { type: "user", userId: ws.owner.user.id, memberId: ws.owner.member.id, role: "OWNER" },
      log: silentLogger,
      queue,
    };

    const dto = await updateChatbot(ctx, chatbot.id, {
      retrieval: { embedding: { credentialId: credential!.id, provider: "OPENAI", model: "text-embedding-3-small" } },
    });
    expect(dto.retrieval).toMatchObject({
      embedding: { provider: "OPENAI", model: "text-embedding-3-small" },
      activeEmbedding: null,
      embeddingStatus: { state: "off", embedded: 0, total: 2 },
      vectorSearchAvailable: false,
    });
    expect(await scheduleEmbeddings(ctx, { workspaceId: ws.workspace.id })).toBe(0);
    expect(
      await db
        .select()
        .from(jobs)
        .where(and(eq(jobs.workspaceId, ws.workspace.id), eq(jobs.name, embedKnowledge.name))),
    ).toEqual([]);

    const deps = { keyring: runtime.keyring, config: runtime.config };
    const english = await searchKnowledge(ctx, deps, chatbot.id, { query: "How much is gift wrapping?" });
    expect(english).toMatchObject({ mode: "full_text", vectorNote: expect.stringMatching(/no pgvector/) });
    expect(english.results[0]).toMatchObject({ chunkId: gift.chunk.id, fullTextRank: 1, vectorSimilarity: null });

    const thaiResult = await retrieve(db, { ...chatbot, faqEntries: [] }, "จัดส่งสินค้ากี่วัน", {
      providers: { db, ...deps },
    });
    expect(thaiResult.items.map((i) => i.id)).toEqual([thai.chunk.id]);

    const filtered = await retrieve(db, { ...chatbot, knowledgeFilters: { categories: ["blog"] } }, "gift wrapping");
    expect(filtered.items).toEqual([]);
  });
});
