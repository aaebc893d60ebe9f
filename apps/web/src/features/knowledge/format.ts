/** Small pure helpers of the knowledge pages: tags typed as text, FAQ import summaries, score display. */
import type { FaqImportResponse, KnowledgeSourceType, KnowledgeStatus } from "@tandem/contracts";

export const TYPE_LABELS: Record<KnowledgeSourceType, string> = {
  document: "Documents",
  faq: "FAQ",
  text: "Text",
  url: "Web pages",
  shopify: "Shopify",
};

export const STATUS_LABELS: Record<KnowledgeStatus, string> = {
  pending: "Pending",
  processing: "Processing",
  ready: "Ready",
  failed: "Failed",
};

/** "shipping, Returns ,, shipping" → ["shipping", "Returns"]: trimmed, empty ones dropped, each once. */
export function parseTags(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split(",")) {
    const tag = raw.trim();
    if (tag && !out.some((t) => t.toLowerCase() === tag.toLowerCase())) out.push(tag);
  }
  return out;
}

/** The lines of a failed FAQ import worth listing; the rest are counted. */
export const IMPORT_ERRORS_SHOWN = 20;

export interface ImportSummary {
  headline: string;
  kind: "success" | "partial" | "error";
  errors: { line: number; message: string }[];
  moreErrors: number;
}

/**
 * What an FAQ CSV import did, for a person: how many entries came in, and the bad lines in file
 * order (the first `IMPORT_ERRORS_SHOWN`, then how many more). With `replace`, one bad line means
 * nothing changed.
 */
export function summarizeImport(result: FaqImportResponse, mode: "append" | "replace"): ImportSummary {
  const errors = [...result.errors].sort((a, b) => a.line - b.line);
  const entries = (n: number) => `${n.toLocaleString("en")} ${n === 1 ? "entry" : "entries"}`;
  const lines = (n: number) => `${n.toLocaleString("en")} ${n === 1 ? "line" : "lines"}`;
  let headline: string;
  let kind: ImportSummary["kind"];
  if (errors.length === 0) {
    kind = "success";
    headline = `Imported ${entries(result.imported)}${mode === "replace" ? ", replacing the previous ones" : ""}.`;
  } else if (result.imported === 0) {
    kind = "error";
    headline =
      mode === "replace"
        ? `Nothing was imported and nothing changed: ${lines(errors.length)} need fixing.`
        : `Nothing was imported: ${lines(errors.length)} need fixing.`;
  } else {
    kind = "partial";
    headline = `Imported ${entries(result.imported)}; skipped ${lines(result.skipped || errors.length)} with problems.`;
  }
  return {
    headline,
    kind,
    errors: errors.slice(0, IMPORT_ERRORS_SHOWN),
    moreErrors: Math.max(0, errors.length - IMPORT_ERRORS_SHOWN),
  };
}

/** A score to two or three decimals; "—" when the path did not produce one. */
export function score(value: number | null | undefined, digits = 3): string {
  return value == null ? "—" : value.toFixed(digits);
}

/** A vector match the threshold drops: it has a similarity, under the chatbot's threshold. */
export function belowThreshold(result: { vectorSimilarity: number | null }, threshold: number): boolean {
  return result.vectorSimilarity !== null && result.vectorSimilarity < threshold;
}

/**
 * The bad lines of an import the server refused as a whole (a `replace` with invalid rows: 400 with
 * `details: [{ line, message }]`), as an import summary; null for any other failure.
 */
export function refusedImport(error: unknown): ImportSummary | null {
  const details = (error as { details?: unknown } | null)?.details;
  if (!Array.isArray(details)) return null;
  const errors = details.flatMap((d: { line?: unknown; message?: unknown }) =>
    typeof d?.line === "number" && typeof d.message === "string" ? [{ line: d.line, message: d.message }] : [],
  );
  if (errors.length === 0) return null;
  return summarizeImport({ imported: 0, skipped: errors.length, errors }, "replace");
}
