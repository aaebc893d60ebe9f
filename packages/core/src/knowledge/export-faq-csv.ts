import { documents } from "@tandem/db";
import { and, asc, eq, isNull } from "drizzle-orm";
import { recordExport } from "../audit/record-export.ts";
import type { Ctx } from "../context.ts";
import { formatCsvRow, neutralizeFormula } from "../extract/csv.ts";
import { getFaqSourceInWorkspace } from "./faq-source.ts";

/**
 * An FAQ set as CSV with the columns the import reads (question, answer, category, tags joined by
 * `;`), CRLF line ends and a byte-order mark so spreadsheets read Thai as UTF-8. A cell that starts
 * with `=`, `+`, `-` or `@` gets a leading `'`, so opening the file never runs a formula.
 */
export async function exportFaqCsv(ctx: Ctx, input: { sourceId: string }): Promise<{ name: string; csv: string }> {
  const source = await getFaqSourceInWorkspace(ctx, input.sourceId);
  const rows = await ctx.db
    .select()
    .from(documents)
    .where(and(eq(documents.sourceId, source.id), eq(documents.documentType, "faq"), isNull(documents.deletedAt)))
    .orderBy(asc(documents.id));
  const lines = [formatCsvRow(["question", "answer", "category", "tags"])];
  for (const r of rows) {
    lines.push(formatCsvRow([r.title, r.content, r.category ?? "", r.tags.join(";")].map(neutralizeFormula)));
  }
  await recordExport(ctx, {
    entityType: "knowledge_source",
    entityId: source.id,
    format: "faq_csv",
    rows: rows.length,
  });
  const name = `${source.name.replace(/[^\p{L}\p{N} _-]+/gu, "").trim() || "faq"}.csv`;
  return { name, csv: `\uFEFF${lines.join("\r\n")}\r\n` };
}
