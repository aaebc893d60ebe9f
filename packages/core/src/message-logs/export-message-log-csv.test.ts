import { createConversation, createMessage, createTestWorkspace } from "@tandem/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestRuntime } from "../../../../tests/support/runtime.ts";
import type { Ctx } from "../context.ts";
import { silentLogger } from "../logger.ts";
import type { Runtime } from "../runtime.ts";
import { exportMessageLogCsv } from "./export-message-log-csv.ts";

let runtime: Runtime;
beforeAll(async () => {
  runtime = await createTestRuntime();
});
afterAll(() => runtime.close());

async function workspaceWithMessages(count: number) {
  const db = runtime.database.db;
  const ws = await createTestWorkspace(db);
  const conversation = await createConversation(db, { workspaceId: ws.workspace.id });
  const created: string[] = [];
  const sameTime = new Date("2026-11-01T09:00:00Z");
  for (let i = 0; i < count; i++) {
    created.push((await createMessage(db, { conversationId: conversation.id, text: `m${i}`, createdAt: sameTime })).id);
  }
  const ctx: Ctx = {
    db,
    workspaceId: ws.workspace.id,
    actor: { type: "user", userId: ws.admin.user.id, memberId: ws.admin.member.id, role: "ADMIN" },
    log: silentLogger,
  };
  return { ctx, newestFirst: created.sort().reverse() };
}

async function readAll(stream: ReadableStream<Uint8Array>) {
  const chunks: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) chunks.push(decoder.decode(chunk));
  return chunks;
}

describe("exportMessageLogCsv", () => {
  it("reads page after page as the stream is read, every row once, in log order", async () => {
    const { ctx, newestFirst } = await workspaceWithMessages(8);
    const { stream } = await exportMessageLogCsv(ctx, {}, { pageSize: 3 });
    const chunks = await readAll(stream);
    // The header, then pages of 3, 3 and 2 rows.
    expect(chunks).toHaveLength(4);
    const rows = chunks.join("").split("\r\n").slice(1, -1);
    expect(rows.map((r) => r.split(",")[1])).toEqual(newestFirst);
  });

  it("stops at the cap with a last line saying so", async () => {
    const { ctx, newestFirst } = await workspaceWithMessages(7);
    const lines = (await readAll((await exportMessageLogCsv(ctx, {}, { pageSize: 2, maxRows: 5 })).stream))
      .join("")
      .split("\r\n");
    expect(lines.slice(1, 6).map((r) => r.split(",")[1])).toEqual(newestFirst.slice(0, 5));
    expect(lines[6]).toBe('"(export stopped at 5 rows, the newest; narrow the time range for the rest)"');
    expect(lines[7]).toBe("");
  });

  it("has no cut line when the rows end exactly at the cap", async () => {
    const { ctx } = await workspaceWithMessages(4);
    const lines = (await readAll((await exportMessageLogCsv(ctx, {}, { pageSize: 2, maxRows: 4 })).stream))
      .join("")
      .split("\r\n");
    expect(lines).toHaveLength(6);
    expect(lines.join("")).not.toContain("export stopped");
  });
});
