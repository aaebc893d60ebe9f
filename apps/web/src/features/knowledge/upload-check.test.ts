import { KNOWLEDGE_LIMITS } from "@tandem/contracts";
import { describe, expect, it } from "vitest";
import { formatBytes } from "../../lib/format";
import { checkFiles, isAcceptedType } from "./upload-check";

const MB = 1024 * 1024;
const limits = { maxFileBytes: 25 * MB };
const file = (name: string, size = 1000, type = "") => ({ name, size, type });

describe("checkFiles", () => {
  it("passes the types the knowledge base reads, by extension or declared type", () => {
    const checks = checkFiles([file("Manual.PDF"), file("notes.md"), file("scan", 10, "image/jpeg")], limits);
    expect(checks.map((c) => c.ok)).toEqual([true, true, true]);
  });

  it("refuses each bad file with its own reason and keeps the good ones", () => {
    const checks = checkFiles(
      [
        file("big.pdf", 30 * MB),
        file("setup.exe", 10, "application/octet-stream"),
        file("empty.txt", 0),
        file("ok.docx"),
      ],
      limits,
    );
    expect(checks.map((c) => (c.ok ? "ok" : c.problem))).toEqual([
      "30 MB: larger than the 25 MB limit",
      "not a file type the knowledge base reads",
      "the file is empty",
      "ok",
    ]);
  });

  it("names the server's limit, not the contract's default", () => {
    const [check] = checkFiles([file("a.pdf", 6 * MB)], { maxFileBytes: 5 * MB });
    expect(check).toMatchObject({ ok: false, problem: "6 MB: larger than the 5 MB limit" });
    // 6 MB passes the default limit of 25 MB: the check really uses the limit it was given.
    expect(checkFiles([file("a.pdf", 6 * MB)], { ...limits, maxFileBytes: KNOWLEDGE_LIMITS.maxFileBytes })[0]?.ok).toBe(
      true,
    );
  });

  it("refuses a file chosen twice in one drop; a same-named file of another size is another file", () => {
    const checks = checkFiles([file("a.pdf"), file("a.pdf"), file("a.pdf", 2000), file("c.pdf")], limits);
    expect(checks.map((c) => (c.ok ? "ok" : c.problem))).toEqual(["ok", "chosen twice", "ok", "ok"]);
  });
});

describe("isAcceptedType / formatBytes", () => {
  it("ignores parameters of the declared type and refuses unknown names without a type", () => {
    expect(isAcceptedType({ name: "x", type: "text/csv; charset=utf-8" })).toBe(true);
    expect(isAcceptedType({ name: "x.zip", type: "" })).toBe(false);
  });

  it("writes sizes as people read them", () => {
    expect(formatBytes(25 * MB)).toBe("25 MB");
    expect(formatBytes(1.5 * MB)).toBe("1.5 MB");
    expect(formatBytes(2048)).toBe("2 KB");
    expect(formatBytes(12)).toBe("12 bytes");
  });
});
