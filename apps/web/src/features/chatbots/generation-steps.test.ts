import { describe, expect, it } from "vitest";
import { latestSteps } from "./generation-steps";

describe("latestSteps", () => {
  it("keeps one line per step and file, with its latest state, in the order they began", () => {
    const at = "2026-12-07T03:00:00.000Z";
    expect(
      latestSteps([
        { step: "upload", status: "done", at },
        { step: "extract", status: "running", file: "a.pdf", at },
        { step: "extract", status: "running", file: "b.png", at },
        { step: "extract", status: "done", file: "a.pdf", message: "470 characters read", at },
        { step: "extract", status: "failed", file: "b.png", message: "unreadable", at },
        { step: "write", status: "running", message: "OPENAI is writing the prompt", at },
        { step: "write", status: "done", at },
      ]),
    ).toEqual([
      { step: "upload", status: "done", at },
      { step: "extract", status: "done", file: "a.pdf", message: "470 characters read", at },
      { step: "extract", status: "failed", file: "b.png", message: "unreadable", at },
      { step: "write", status: "done", at },
    ]);
  });
});
