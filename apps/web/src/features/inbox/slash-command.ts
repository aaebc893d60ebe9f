/**
 * The `/query` or `@query` being typed in the composer: the trigger character at the start of the
 * text or after whitespace, followed by word characters up to the caret. Null when the caret is
 * not in one.
 */
export interface TriggerToken {
  /** Index of the trigger character. */
  start: number;
  /** Index just after the query (the caret). */
  end: number;
  query: string;
}

const PATTERNS = {
  "/": /(^|\s)\/([\p{L}\p{N}_-]{0,32})$/u,
  "@": /(^|\s)@([\p{L}\p{N}_.-]{0,32})$/u,
} as const;

export type Trigger = keyof typeof PATTERNS;

export function triggerTokenAt(trigger: Trigger, text: string, caret: number): TriggerToken | null {
  const match = PATTERNS[trigger].exec(text.slice(0, caret));
  if (!match) return null;
  const query = match[2] ?? "";
  return { start: caret - query.length - 1, end: caret, query };
}

export const slashTokenAt = (text: string, caret: number) => triggerTokenAt("/", text, caret);

/** `text` with the token replaced by `insert`, and where the caret goes afterwards. */
export function replaceToken(text: string, token: TriggerToken, insert: string): { text: string; caret: number } {
  return { text: text.slice(0, token.start) + insert + text.slice(token.end), caret: token.start + insert.length };
}
