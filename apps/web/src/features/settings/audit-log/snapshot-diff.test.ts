import { describe, expect, it } from "vitest";
import { snapshotDiff } from "./snapshot-diff";

describe("snapshotDiff", () => {
  it("lists every key once, flattened, and marks the changed ones", () => {
    expect(
      snapshotDiff(
        { name: "Bot", theme: { primaryColor: "#000", position: "bottom-right" }, tags: ["a"], gone: 1 },
        { name: "Bot", theme: { primaryColor: "#f06", position: "bottom-right" }, tags: ["a", "b"], added: true },
      ),
    ).toEqual([
      { key: "name", before: "Bot", after: "Bot", changed: false },
      { key: "theme.primaryColor", before: "#000", after: "#f06", changed: true },
      { key: "theme.position", before: "bottom-right", after: "bottom-right", changed: false },
      { key: "tags", before: '["a"]', after: '["a","b"]', changed: true },
      { key: "gone", before: "1", after: undefined, changed: true },
      { key: "added", before: undefined, after: "true", changed: true },
    ]);
  });

  it("handles a side that is missing, and values that are not objects", () => {
    expect(snapshotDiff(null, { status: "active" })).toEqual([
      { key: "status", before: undefined, after: "active", changed: true },
    ]);
    expect(snapshotDiff({ deleted: false }, null)).toEqual([
      { key: "deleted", before: "false", after: undefined, changed: true },
    ]);
    expect(snapshotDiff(null, null)).toEqual([]);
    expect(snapshotDiff("old", "new")).toEqual([{ key: "(value)", before: "old", after: "new", changed: true }]);
    expect(snapshotDiff({ x: null }, { x: {} })).toEqual([{ key: "x", before: "null", after: "{}", changed: true }]);
  });
});
