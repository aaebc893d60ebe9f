import type { Db } from "@tandem/db";
import { createChatbot, createKnowledgePassage, createWorkspace } from "@tandem/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import { DEMO_FAQ } from "../demo/seed-demo.ts";
import { bigramTerms } from "../knowledge/search-terms.ts";
import type { Runtime } from "../runtime.ts";
import { fullTextQuery, retrieveKnowledge } from "./retrieve-knowledge.ts";

let runtime: Runtime;
let db: Db;

beforeAll(async () => {
  runtime = await createTestRuntime();
  db = runtime.database.db;
});
afterAll(() => runtime.close());

async function setup() {
  const workspace = await createWorkspace(db);
  const chatbot = await createChatbot(db, { workspaceId: workspace.id, faqEntries: DEMO_FAQ });
  return { workspaceId: workspace.id, chatbot };
}

const GIFT =
  "Gift wrapping costs 50 THB per item and is chosen at checkout. Wrapped parcels include a handwritten card.";

describe("retrieveKnowledge", () => {
  it("finds FAQ entries and full-text passages of the chatbot and of the workspace, scored together, best first", async () => {
    const { workspaceId, chatbot } = await setup();
    const own = await createKnowledgePassage(db, { workspaceId, chatbotId: chatbot.id, title: "Gifts", content: GIFT });
    const shared = await createKnowledgePassage(db, {
      workspaceId,
      title: "Store pickup",
      content: "You can pick up gift orders at our Bangkok store every day from 10:00 to 20:00.",
    });
    const otherBot = await createChatbot(db, { workspaceId });
    await createKnowledgePassage(db, { workspaceId, chatbotId: otherBot.id, title: "Other bot", content: GIFT });
    const elsewhere = await setup();
    await createKnowledgePassage(db, { workspaceId: elsewhere.workspaceId, title: "Foreign", content: GIFT });

    const items = await retrieveKnowledge(db, chatbot, "How much does gift wrapping cost?");
    expect(items[0]).toMatchObject({
      id: own.chunk.id,
      kind: "passage",
      title: "Gifts",
      content: GIFT,
      documentId: own.document.id,
      sourceId: own.source.id,
    });
    expect(items[0]!.score).toBeGreaterThan(0.5);
    expect(items.map((i) => i.id)).toContain(shared.chunk.id);
    expect(items.filter((i) => i.content === GIFT)).toHaveLength(1);
    const scores = items.map((i) => i.score!);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it("ranks the matching FAQ entry first with the offline matcher's score", async () => {
    const { chatbot } = await setup();
    const items = await retrieveKnowledge(db, chatbot, "What is your return policy?");
    expect(items[0]).toMatchObject({ id: "faq:2", kind: "faq", title: "What is your return policy?", score: 1 });
    expect(items.every((i) => i.score! > 0)).toBe(true);
  });

  it("finds Thai passages by character bigrams", async () => {
    const { workspaceId, chatbot } = await setup();
    const thai = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "การจัดส่ง",
      content: "จัดส่งสินค้าภายใน 2–4 วันทำการทั่วประเทศไทย",
      searchTerms: bigramTerms("การจัดส่ง จัดส่งสินค้าภายใน 2–4 วันทำการทั่วประเทศไทย").join(" "),
    });
    // Another Thai passage sharing no bigram: the GIN-served bigram tsquery does not return it.
    await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "ราคา",
      content: "ราคา 500 บาท",
      searchTerms: bigramTerms("ราคา 500 บาท").join(" "),
    });
    const items = await retrieveKnowledge(db, { ...chatbot, faqEntries: [] }, "จัดส่งสินค้ากี่วัน");
    expect(items.map((i) => i.id)).toEqual([thai.chunk.id]);
    expect(items[0]).toMatchObject({ fullTextRank: 1, vectorSimilarity: null });
  });

  it("matches the other forms of the question's words, not other words that start the same", async () => {
    const { workspaceId, chatbot } = await setup();
    const shipped = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Dispatch",
      content: "Orders are shipped within two days; every shipment is insured.",
    });
    const policies = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Policies",
      content: "Our policies on warranties.",
    });
    await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Shipyard",
      content: "A shipyard tour is offered to police officers.",
    });
    const bot = { ...chatbot, faqEntries: [] };
    expect((await retrieveKnowledge(db, bot, "shipping")).map((i) => i.id)).toEqual([shipped.chunk.id]);
    expect((await retrieveKnowledge(db, bot, "warranty policy")).map((i) => i.id)).toEqual([policies.chunk.id]);
  });

  it("applies the chatbot's knowledge filters and skips deleted sources", async () => {
    const { workspaceId, chatbot } = await setup();
    const policies = await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Gifts",
      content: GIFT,
      category: "policies",
    });
    await createKnowledgePassage(db, {
      workspaceId,
      chatbotId: chatbot.id,
      title: "Gifts 2",
      content: GIFT,
      category: "blog",
    });
    const filtered = await retrieveKnowledge(
      db,
      { ...chatbot, faqEntries: [], knowledgeFilters: { categories: ["policies"] } },
      "gift wrapping",
    );
    expect(filtered.map((i) => i.id)).toEqual([policies.chunk.id]);
    expect(await retrieveKnowledge(db, { ...chatbot, faqEntries: [] }, "?!")).toEqual([]);
  });
});

describe("fullTextQuery", () => {
  it("ORs the words each stemmed word of the message stands for, without stop words or tsquery syntax", () => {
    expect(fullTextQuery("What is your return policy?")).toBe(
      "(return | returns | returnes | returned | returning | returnment | returnments | returne) | (policy | policies | policied | policying)",
    );
    expect(fullTextQuery("shipping & (returns) | !xl")).toBe(
      "(shipping | ship | ships | shipes | shiped | shiping | shipment | shipments | shipe | shipped) | (returns | return | returnes | returned | returning | returnment | returnments | returne) | xl",
    );
    expect(fullTextQuery("?")).toBeNull();
  });
});
