import { type ChatbotDto, RETRIEVAL_DEFAULTS } from "@tandem/contracts";
import { describe, expect, it } from "vitest";
import { describeEmbeddingKey, isReembedding, toRetrievalForm, toRetrievalPatch } from "./retrieval-form";

type Bot = Pick<ChatbotDto, "knowledgeFilters" | "retrieval">;

const bot = (over: Partial<Bot["retrieval"]> = {}, filters: Record<string, unknown> = {}): Bot => ({
  knowledgeFilters: filters,
  retrieval: {
    ...RETRIEVAL_DEFAULTS,
    embedding: null,
    activeEmbedding: null,
    embeddingStatus: { state: "off", embedded: 0, total: 0, error: null },
    vectorSearchAvailable: true,
    ...over,
  },
});

describe("toRetrievalPatch", () => {
  it("writes the filters the tab edits, leaves out empty ones and keeps filters set elsewhere", () => {
    const chatbot = bot({}, { supplierIds: ["sup_1"], categories: ["old"] });
    const form = {
      ...toRetrievalForm(chatbot),
      sourceIds: ["ks_1"],
      types: ["faq" as const],
      categories: "",
      tags: "wholesale, 2026",
    };
    const patch = toRetrievalPatch(form, chatbot);
    expect(patch).toEqual({
      input: {
        knowledgeFilters: { supplierIds: ["sup_1"], sourceIds: ["ks_1"], types: ["faq"], tags: ["wholesale", "2026"] },
        retrieval: { similarityThreshold: 0.7, maxResults: 5 },
      },
    });
  });

  it("sends the embedding model only when it changed, so saving filters never re-embeds", () => {
    const embedding = { provider: "OPENAI" as const, credentialId: null, model: "text-embedding-3-small" };
    const chatbot = bot({ embedding });
    const same = toRetrievalPatch(toRetrievalForm(chatbot), chatbot);
    expect(same).toMatchObject({ input: { retrieval: { similarityThreshold: 0.7, maxResults: 5 } } });
    expect("input" in same && "embedding" in (same.input.retrieval as object)).toBe(false);

    const changed = toRetrievalPatch({ ...toRetrievalForm(chatbot), dimensions: "512" }, chatbot);
    expect(changed).toMatchObject({ input: { retrieval: { embedding: { ...embedding, dimensions: 512 } } } });

    const off = toRetrievalPatch({ ...toRetrievalForm(chatbot), embeddingProvider: "" }, chatbot);
    expect(off).toMatchObject({ input: { retrieval: { embedding: null } } });
  });

  it("names blank or non-numeric numbers instead of sending 0", () => {
    const chatbot = bot();
    expect(
      toRetrievalPatch(
        {
          ...toRetrievalForm(chatbot),
          similarityThreshold: " ",
          maxResults: "five",
          embeddingProvider: "GEMINI",
          embeddingModel: "",
          dimensions: "1.5",
        },
        chatbot,
      ),
    ).toEqual({
      problems: {
        similarityThreshold: "enter a number between 0 and 1",
        maxResults: "enter a whole number between 1 and 20",
        dimensions: "enter a whole number, or leave it empty",
        model: "enter an embedding model",
      },
    });
  });
});

describe("isReembedding / describeEmbeddingKey", () => {
  const embedding = {
    provider: "OPENAI" as const,
    credentialId: null,
    model: "text-embedding-3-small",
    dimensions: 512,
  };
  const processing = { state: "processing" as const, embedded: 3, total: 10, error: null };

  it("is re-embedding only while another model's vectors serve", () => {
    // New passages of the same model being embedded: not a re-embedding.
    const same = bot({ embedding, activeEmbedding: { model: "OPENAI:text-embedding-3-small@512", dimensions: 512 } });
    expect(isReembedding({ ...same.retrieval, embeddingStatus: processing })).toBe(false);
    const other = bot({ embedding, activeEmbedding: { model: "GEMINI:text-embedding-004", dimensions: 768 } });
    expect(isReembedding({ ...other.retrieval, embeddingStatus: processing })).toBe(true);
    expect(isReembedding({ ...other.retrieval, embeddingStatus: { ...processing, state: "ready" } })).toBe(false);
    // The first vectors of a chatbot: nothing old serves.
    expect(isReembedding({ ...bot({ embedding }).retrieval, embeddingStatus: processing })).toBe(false);
  });

  it("reads an embedding key as a model and its size", () => {
    expect(describeEmbeddingKey("OPENAI:text-embedding-3-small@512")).toBe("text-embedding-3-small (512 dimensions)");
    expect(describeEmbeddingKey("OPENAI_COMPATIBLE:nomic-embed-text")).toBe("nomic-embed-text");
    expect(describeEmbeddingKey("something else")).toBe("something else");
  });
});
