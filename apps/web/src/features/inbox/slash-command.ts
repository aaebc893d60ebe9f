/**
 * The `/query` being typed in the composer: a "/" at the start of the text or after whitespace,
 * followed by shortcut characters up to the caret. Null when the caret is not in one.
 */
export interface SlashToken {
  /** Index of the "/". */
  start: number;
  /** Index just after the query (the caret). */
  end: number;
  query: string;
}

const TOKEN = /(^|\s)\/([\p{L}\p{N}_-]{0,32})$/u;

export function slashTokenAt(text: string, caret: number): SlashToken | null {
  const match = TOKEN.exec(text.slice(0, caret));
  if (!match) return null;
  const query = match[2] ?? "";
  return { start: caret - query.length - 1, end: caret, query };
}

/** `text` with the token replaced by `insert`, and where the caret goes afterwards. */
export function replaceToken(text: string, token: SlashToken, insert: string): { text: string; caret: number } {
  return { text: text.slice(0, token.start) + insert + text.slice(token.end), caret: token.start + insert.length };
}
