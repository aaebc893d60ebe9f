import { DomainError } from "../errors.ts";

/** A second canned response with the same shortcut in the workspace (the unique index refused it). */
export function shortcutTaken(error: unknown, shortcut: string): unknown {
  const e = error as { code?: string; cause?: { code?: string } } | null;
  if (e?.code !== "23505" && e?.cause?.code !== "23505") return error;
  return new DomainError("canned_response_shortcut_taken", `The shortcut “/${shortcut}” is already used`, {
    details: [{ path: "shortcut", message: `“/${shortcut}” is already used by another canned response` }],
  });
}
