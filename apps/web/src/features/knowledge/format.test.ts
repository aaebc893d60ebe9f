import { describe, expect, it } from "vitest";
import { ApiError } from "../../lib/api";
import { belowThreshold, IMPORT_ERRORS_SHOWN, parseTags, refusedImport, summarizeImport } from "./format";

describe("summarizeImport", () => {
  it("reports a clean import", () => {
    expect(summarizeImport({ imported: 12, skipped: 0, errors: [] }, "append")).toEqual({
      kind: "success",
      headline: "Imported 12 entries.",
      errors: [],
      moreErrors: 0,
    });
    expect(summarizeImport({ imported: 1, skipped: 0, errors: [] }, "replace").headline).toBe(
      "Imported 1 entry, replacing the previous ones.",
    );
  });

  it("lists the bad lines in file order next to what was imported", () => {
    const summary = summarizeImport(
      {
        imported: 3,
        skipped: 2,
        errors: [
          { line: 7, message: "the answer is empty" },
          { line: 3, message: "the question is longer than 1000 characters" },
        ],
      },
      "append",
    );
    expect(summary.kind).toBe("partial");
    expect(summary.headline).toBe("Imported 3 entries; skipped 2 lines with problems.");
    expect(summary.errors.map((e) => e.line)).toEqual([3, 7]);
  });

  it("says that a refused replace changed nothing, and caps the list", () => {
    const errors = Array.from({ length: IMPORT_ERRORS_SHOWN + 5 }, (_, i) => ({ line: i + 2, message: "no answer" }));
    const summary = summarizeImport({ imported: 0, skipped: errors.length, errors }, "replace");
    expect(summary.kind).toBe("error");
    expect(summary.headline).toBe(`Nothing was imported and nothing changed: ${errors.length} lines need fixing.`);
    expect(summary.errors).toHaveLength(IMPORT_ERRORS_SHOWN);
    expect(summary.moreErrors).toBe(5);
  });
});

describe("parseTags", () => {
  it("trims, drops empty ones and keeps each tag once whatever its case", () => {
    expect(parseTags(" shipping, Returns ,, shipping, returns,ภาษีไทย ")).toEqual(["shipping", "Returns", "ภาษีไทย"]);
    expect(parseTags("")).toEqual([]);
  });
});

describe("belowThreshold", () => {
  it("applies to the vector similarity only; a full-text-only match is never below it", () => {
    expect(belowThreshold({ vectorSimilarity: 0.69 }, 0.7)).toBe(true);
    expect(belowThreshold({ vectorSimilarity: 0.7 }, 0.7)).toBe(false);
    expect(belowThreshold({ vectorSimilarity: null }, 0.7)).toBe(false);
  });
});

describe("refusedImport", () => {
  it("lists the lines of a replace the server refused as a whole", () => {
    const error = new ApiError({
      status: 400,
      code: "invalid_input",
      message: "Nothing was replaced: 2 row(s) are not valid",
      details: [
        { path: "file", line: 5, message: "answer: enter an answer" },
        { path: "file", line: 2, message: "question: enter a question" },
      ],
    });
    const summary = refusedImport(error);
    expect(summary?.headline).toBe("Nothing was imported and nothing changed: 2 lines need fixing.");
    expect(summary?.errors).toEqual([
      { line: 2, message: "question: enter a question" },
      { line: 5, message: "answer: enter an answer" },
    ]);
  });

  it("is null for failures without lines", () => {
    expect(refusedImport(new ApiError({ status: 413, code: "file_too_large", message: "too big" }))).toBeNull();
    expect(refusedImport(new Error("boom"))).toBeNull();
  });
});
