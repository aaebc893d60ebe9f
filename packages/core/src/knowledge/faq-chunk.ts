import type { Db } from "@tandem/db";
import { countTokens } from "./chunk-text.ts";
import { replaceChunks } from "./write-chunks.ts";

/** An FAQ entry is retrieved as one passage: "question\nanswer", written with the entry. */
export async function writeFaqChunk(
  db: Db,
  entry: { id: string; workspaceId: string; sourceId: string; title: string; content: string },
  chatbotId: string | null,
): Promise<void> {
  const content = `${entry.title}\n${entry.content}`;
  await replaceChunks(db, entry, chatbotId, [
    { content, tokenCount: countTokens(content), headingPath: [], page: null },
  ]);
}
