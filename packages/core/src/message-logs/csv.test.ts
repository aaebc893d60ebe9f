import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "./csv.ts";

describe("csvCell", () => {
  it("quotes commas, quotes and line breaks, doubling the quotes", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("ขอบคุณครับ")).toBe("ขอบคุณครับ");
  });

  it("keeps what a spreadsheet would run as a formula as text", () => {
    expect(csvCell("=1+2")).toBe("'=1+2");
    expect(csvCell("+66 81 234 5678")).toBe("'+66 81 234 5678");
    expect(csvCell("-2")).toBe("'-2");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\t=cmd")).toBe("'\t=cmd");
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell("a=b")).toBe("a=b");
  });

  it("writes numbers as numbers and nothing for null", () => {
    expect(csvLine([-5, null, undefined, 0, "x"])).toBe("-5,,,0,x\r\n");
  });
});
