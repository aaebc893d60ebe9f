/**
 * Full-text retrieval when a question's words are in most of the chunks (`anyTermMatches` and
 * `sampleFirst` in retrieve-knowledge.ts): the table's statistics send such questions to a sample of
 * the chunks read in order instead of the GIN index. What must hold, on PGlite and on PostgreSQL:
 * rare words' passages are still found wherever they are, a common word whose passages all lie past
 * the sample is still found (the index is asked), and the statistics, which cover every workspace,
 * never let another workspace's chunks in.
 */
import {
  chunks as chunkTable,
  createDb,
  type Database,
  type Db,
  documents,
  knowledgeSources,
  migrate,
} from "@tandem/db";
import { createChatbot, createKnowledgePassage, createWorkspace } from "@tandem/db/testing";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  type PostgresServer,
  startPostgresServer,
} from "../../../../tests/support/postgres-server.ts";
import { forgetLexemeShares, lexemeShares } from "../knowledge/lexeme-shares.ts";
import { retrieveKnowledge } from "./retrieve-knowledge.ts";

/** Chunks of workspace A: every one says "order", enough for the statistics to call it common. */
const COMMON = 1200;
/** Then these, past the 1,000 chunks a sample reads: the only ones with "warehouse". */
const LATE = 150;

interface Scenario {
  db: Db;
  bot: Awaited<ReturnType<typeof createChatbot>>;
  other: Awaited<ReturnType<typeof createChatbot>>;
  needleId: string;
  lateIds: Set<string>;
  otherIds: Set<string>;
}

async function seed(db: Db): Promise<Scenario> {
  const a = await createWorkspace(db);
  const bot = await createChatbot(db, { workspaceId: a.id, faqEntries: [] });
  const [source] = await db
    .insert(knowledgeSources)
    .values({ workspaceId: a.id, type: "document", name: "Handbook", status: "ready" })
    .returning();
  const [document] = await db
    .insert(documents)
    .values({ workspaceId: a.id, sourceId: source!.id, title: "Handbook", status: "ready" })
    .returning();
  const row = (ordinal: number, content: string) => ({
    workspaceId: a.id,
    sourceId: source!.id,
    documentId: document!.id,
    ordinal,
    content,
  });
  // A word per 80 chunks (topic17…) gives the statistics a floor of rare listed words, as a real
  // knowledge base's spread of words does.
  const common = Array.from({ length: COMMON }, (_, i) =>
    row(i, `Your order number ${i} is in topic${i % 80}, packed with care and sent by courier.`),
  );
  for (let i = 0; i < common.length; i += 400) await db.insert(chunkTable).values(common.slice(i, i + 400));
  const late = await db
    .insert(chunkTable)
    .values(
      Array.from({ length: LATE }, (_, i) =>
        row(COMMON + i, `The warehouse in Ayutthaya packs every order within a day (note ${i}).`),
      ),
    )
    .returning({ id: chunkTable.id });
  // Last of all, the one passage about zebra boxes, without the common word.
  const [needle] = await db
    .insert(chunkTable)
    .values(row(COMMON + LATE, "Zebra print gift boxes cost 90 THB each."))
    .returning({ id: chunkTable.id });

  // Workspace B: a few chunks with the same words, which A's questions must never return.
  const b = await createWorkspace(db);
  const other = await createChatbot(db, { workspaceId: b.id, faqEntries: [] });
  const otherIds = new Set<string>();
  for (const content of ["Zebra order boxes for workspace B.", "The warehouse of workspace B ships every order."]) {
    const passage = await createKnowledgePassage(db, { workspaceId: b.id, title: "B", content });
    otherIds.add(passage.chunk.id);
  }

  // As the ingest job does on the embedded database, and autovacuum on a server.
  await db.execute(sql`ANALYZE chunk`);
  forgetLexemeShares(db);
  return { db, bot, other, needleId: needle!.id, lateIds: new Set(late.map((r) => r.id)), otherIds };
}

function scenarios(open: () => Promise<{ database: Database; close(): Promise<void> }>) {
  let close: () => Promise<void>;
  let s: Scenario;
  beforeAll(async () => {
    const opened = await open();
    close = opened.close;
    await migrate(opened.database);
    s = await seed(opened.database.db);
  }, 120_000);
  afterAll(() => close?.());

  it("reads the shares of common words from the table's statistics", async () => {
    const shares = await lexemeShares(s.db);
    expect(shares.listed("order")).toBeGreaterThan(0.9);
    expect(shares.listed("warehouse")).toBeGreaterThan(0.05);
    expect(shares.listed("zebra") ?? 0).toBeLessThan(0.01);
    expect(shares.listed("ayutthaya-nowhere")).toBeUndefined();
    expect(shares.floor).toBeLessThan(0.02);
  });

  it("finds the passage of a rare word even when a common word matches everything before it", async () => {
    // "order" is in 1,350 chunks; the index's (or a sample's) first 500 would all be those. The rare
    // word's matches are gathered first.
    const items = await retrieveKnowledge(s.db, s.bot, "Do you sell zebra boxes with my order?");
    expect(items[0]!.id).toBe(s.needleId);
    expect(items.some((i) => s.otherIds.has(i.id))).toBe(false);
  });

  it("asks the index when the chunks of a common word all lie past the sample", async () => {
    // "warehouse" is common by the statistics (150 of 1,351 chunks), and every one of them comes
    // after the first 1,000: the sample finds none, the index finds them.
    const items = await retrieveKnowledge(s.db, s.bot, "warehouse");
    expect(items).toHaveLength(5);
    expect(items.every((i) => s.lateIds.has(i.id))).toBe(true);
    const both = await retrieveKnowledge(s.db, s.bot, "Which warehouse packs my order?");
    expect(both.length).toBe(5);
    expect(both.every((i) => s.lateIds.has(i.id))).toBe(true);
  });

  it("answers questions of common words from a sample, within the chatbot's workspace only", async () => {
    const items = await retrieveKnowledge(s.db, s.bot, "Where is my order, sent by courier?");
    expect(items).toHaveLength(5);
    expect(items.every((i) => i.content.includes("order"))).toBe(true);
    // Workspace B's chatbot: the statistics say "order" is common (they are A's), its own few chunks decide.
    const theirs = await retrieveKnowledge(s.db, s.other, "Which warehouse packs my order in zebra boxes?");
    expect(new Set(theirs.map((i) => i.id))).toEqual(s.otherIds);
  });
}

describe("retrieval of common words on PGlite", () => {
  scenarios(async () => {
    const database = await createDb();
    return { database, close: () => database.close() };
  });
});

describe("retrieval of common words on PostgreSQL", () => {
  let server: PostgresServer;
  scenarios(async () => {
    server = await startPostgresServer();
    const database = await createDb({ databaseUrl: await createTestDatabase(server), poolSize: 2 });
    return {
      database,
      close: async () => {
        await database.close();
        await server.stop();
      },
    };
  });
});
