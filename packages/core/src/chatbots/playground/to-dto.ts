import type { PlaygroundMessageDto, PlaygroundOverrides, PlaygroundSessionDto } from "@tandem/contracts";
import type { messages } from "@tandem/db";
import type { PlaygroundSessionRow } from "./get-playground-session-in-workspace.ts";

type MessageRow = Omit<typeof messages.$inferSelect, "search">;

export const playgroundSessionToDto = (row: PlaygroundSessionRow): PlaygroundSessionDto => ({
  id: row.id,
  chatbotId: row.chatbotId,
  userId: row.userId,
  overrideConfig: row.overrides as PlaygroundOverrides,
  active: row.active,
  createdAt: row.createdAt.toISOString(),
  endedAt: row.endedAt?.toISOString() ?? null,
});

export const playgroundMessageToDto = (m: MessageRow): PlaygroundMessageDto => ({
  id: m.id,
  // A playground thread has no agents: its messages are the tester's, the bot's and SYSTEM notes.
  role: m.role as PlaygroundMessageDto["role"],
  text: m.text,
  createdAt: m.createdAt.toISOString(),
  provider: m.provider,
  model: m.model,
  latencyMs: m.latencyMs,
  promptVersionId: m.promptVersionId,
  sources: (m.retrievedSources ?? []).map((s) => ({ chunkId: s.chunkId, title: s.title ?? null, score: s.score })),
  products: m.productCards ?? [],
  reason: typeof m.metadata.reason === "string" ? m.metadata.reason : null,
});
