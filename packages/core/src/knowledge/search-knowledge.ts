import type { KnowledgeSearchInput, KnowledgeSearchResponse } from "@tandem/contracts";
import { retrieve } from "../bots/retrieve-knowledge.ts";
import { getChatbotInWorkspace } from "../chatbots/get-chatbot-in-workspace.ts";
import type { Ctx } from "../context.ts";
import { assertActorCan } from "../members/guard.ts";
import type { ProviderDeps } from "../providers/provider-deps.ts";

/**
 * Retrieval testing (`POST /chatbots/{id}/knowledge/search`, `knowledge.manage`): the chatbot's
 * retrieval run exactly as for a bot reply — its FAQ entries, filters, threshold, active embedding
 * model — with every result's full-text rank and score, vector rank and similarity and fused score,
 * the mode (hybrid or full text, and why) and the time each step took. `limit` replaces the chatbot's
 * `maxResults` for this search. Reads only; the question is embedded with the workspace's credential.
 */
export async function searchKnowledge(
  ctx: Ctx,
  deps: ProviderDeps,
  chatbotId: string,
  input: KnowledgeSearchInput,
): Promise<KnowledgeSearchResponse> {
  assertActorCan(ctx, "knowledge.manage");
  const chatbot = await getChatbotInWorkspace(ctx, chatbotId);
  const result = await retrieve(ctx.db, chatbot, input.query, {
    ...(input.limit ? { limit: input.limit } : {}),
    providers: { db: ctx.db, ...deps },
  });
  return {
    mode: result.mode,
    vectorNote: result.vectorNote,
    similarityThreshold: result.similarityThreshold,
    results: result.items.map((item) => ({
      chunkId: item.id,
      documentId: item.documentId ?? null,
      sourceId: item.sourceId ?? null,
      kind: item.kind,
      title: item.title ?? null,
      content: item.content,
      headingPath: item.headingPath,
      fullTextRank: item.fullTextRank,
      fullTextScore: item.fullTextScore,
      vectorRank: item.vectorRank,
      vectorSimilarity: item.vectorSimilarity,
      fusedScore: item.fusedScore,
      score: item.score,
    })),
    timings: result.timings,
  };
}
