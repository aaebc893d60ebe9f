import { CreateFaqEntryInput, type FaqImportResponse } from "@tandem/contracts";
import { chunks, documents } from "@tandem/db";
import { and, eq, isNull } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import { CsvSyntaxError, parseCsv } from "../extract/csv.ts";
import { settleKnowledgeWrites } from "../maintenance/database-maintenance.ts";
import { insertFaqEntries } from "./create-faq-entry.ts";
import { getFaqSourceInWorkspace } from "./faq-source.ts";
import { publishAfter } from "./publish-knowledge-update.ts";
import { scheduleEmbeddingsAfter } from "./schedule-embeddings-after.ts";

/** Rows one import takes. */
export const MAX_FAQ_IMPORT_ROWS = 5000;

/**
 * Imports FAQ entries from CSV (RFC 4180; a header row naming `question` and `answer`, optionally
 * `category` and `tags` separated by `;`). Bad rows are reported by their line and skipped
 * (`append`); with `replace`, the set's entries are swapped for the file's only when every row is
 * valid, otherwise nothing changes and the answer is 400 listing the bad lines.
 */
export async function importFaqCsv(
  ctx: Ctx,
  input: { sourceId: string; csv: string; mode: "append" | "replace" },
): Promise<FaqImportResponse> {
  await getFaqSourceInWorkspace(ctx, input.sourceId);
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(input.csv);
  } catch (error) {
    if (!(error instanceof CsvSyntaxError)) throw error;
    throw new DomainError("invalid_input", `The CSV cannot be read: ${error.message}`, {
      details: [{ path: "file", line: error.line, message: error.message }],
    });
  }
  const [header, ...rows] = records;
  const columns = header?.fields.map((f) => f.trim().toLowerCase()) ?? [];
  const at = (name: string) => columns.indexOf(name);
  if (at("question") < 0 || at("answer") < 0) {
    throw new DomainError(
      "invalid_input",
      "The first row must name the columns: question, answer (and optionally category, tags)",
      {
        details: [
          { path: "file", line: header?.line ?? 1, message: "a header row with question and answer is required" },
        ],
      },
    );
  }
  if (rows.length > MAX_FAQ_IMPORT_ROWS) {
    throw new DomainError("invalid_input", `Import at most ${MAX_FAQ_IMPORT_ROWS} entries at a time`, {
      details: [{ path: "file", message: `${rows.length} rows` }],
    });
  }
  const entries: CreateFaqEntryInput[] = [];
  const errors: FaqImportResponse["errors"] = [];
  for (const record of rows) {
    const cell = (name: string) =>
      at(name) >= 0 ? (record.fields[at(name)] ?? "").replace(/\r\n?/g, "\n").trim() : "";
    const parsed = CreateFaqEntryInput.safeParse({
      question: cell("question"),
      answer: cell("answer"),
      category: cell("category") || null,
      tags: cell("tags")
        .split(";")
        .map((t) => t.trim())
        .filter(Boolean),
    });
    if (parsed.success) entries.push(parsed.data);
    else {
      errors.push({
        line: record.line,
        message: parsed.error.issues.map((i) => `${i.path.join(".") || "row"}: ${i.message}`).join("; "),
      });
    }
  }
  if (input.mode === "replace" && errors.length) {
    throw new DomainError("invalid_input", `Nothing was replaced: ${errors.length} row(s) are not valid`, {
      details: errors.map((e) => ({ path: "file", line: e.line, message: e.message })),
    });
  }
  const source = await withTransaction(ctx, async (tx) => {
    const locked = await getFaqSourceInWorkspace(tx, input.sourceId, { forUpdate: true });
    if (input.mode === "replace") {
      const now = new Date();
      const gone = await tx.db
        .update(documents)
        .set({ deletedAt: now, updatedAt: now })
        .where(and(eq(documents.sourceId, locked.id), isNull(documents.deletedAt)))
        .returning({ id: documents.id });
      if (gone.length) await tx.db.delete(chunks).where(eq(chunks.sourceId, locked.id));
    }
    await insertFaqEntries(tx, locked, entries);
    await recordAudit(tx, {
      action: "faq_entry.import",
      entityType: "knowledge_source",
      entityId: locked.id,
      after: { mode: input.mode, imported: entries.length, skipped: errors.length },
    });
    return locked;
  });
  await settleKnowledgeWrites(ctx.db, { chunk: entries.length, document: entries.length }).catch((err) =>
    ctx.log.warn({ err }, "could not flush or analyze the knowledge tables"),
  );
  void publishAfter(ctx, { workspaceId: source.workspaceId, sourceId: source.id });
  await scheduleEmbeddingsAfter(ctx, { workspaceId: source.workspaceId, sourceId: source.id });
  return { imported: entries.length, skipped: errors.length, errors };
}
