/**
 * Cuts a document's text into passages by its structure. The text is Markdown-like, as extraction
 * writes it (`# Heading` lines, `| a | b |` table rows, paragraphs between blank lines); PDFs give
 * the offsets where their pages start.
 *
 * - Every chunk keeps its heading path (`["Returns", "Refund times"]`); a chunk never spans two
 *   sections, so the path is true of all of it.
 * - About `targetTokens` tokens a chunk, with about `overlap` of it repeated from the previous
 *   chunk of the same section (whole sentences), split on paragraphs, then sentences, then words.
 * - Tokens and split points come from `Intl.Segmenter` (ICU's dictionaries for Thai, Japanese and
 *   Chinese): a boundary never falls inside a word.
 * - A table stays whole when it fits; otherwise it is split by rows, its header row repeated in each part.
 */

export interface ChunkOptions {
  targetTokens?: number;
  /** Share of a chunk repeated at the start of the next one of the same section (0–0.5). */
  overlap?: number;
  /** Character offsets where each page starts (PDF), ascending; page numbers are 1-based. */
  pageStarts?: readonly number[];
}

export interface TextChunk {
  content: string;
  tokenCount: number;
  headingPath: string[];
  /** The page the chunk starts on, when pages are known. */
  page: number | null;
}

export const CHUNK_TARGET_TOKENS = 500;
export const CHUNK_OVERLAP = 0.15;

const words = new Intl.Segmenter(undefined, { granularity: "word" });
const sentences = new Intl.Segmenter(undefined, { granularity: "sentence" });

/** Tokens as a retriever sees them: words and numbers (Thai, Japanese and Chinese words by dictionary). */
export function countTokens(text: string): number {
  let n = 0;
  for (const s of words.segment(text)) if (s.isWordLike) n++;
  return n;
}

type Block =
  | { kind: "heading"; level: number; text: string; offset: number }
  | { kind: "paragraph"; text: string; offset: number }
  | { kind: "table"; header: string[]; rows: string[]; offset: number };

/** Pieces of a section packed into chunks; `join` is what goes before it when it follows another. */
interface Unit {
  text: string;
  tokens: number;
  offset: number;
  join: string;
  /** Rows of a split table: never carried over as overlap; past the first, their header is repeated when a chunk starts with one. */
  row?: boolean;
  header?: string[];
}

export function chunkText(text: string, options: ChunkOptions = {}): TextChunk[] {
  const target = Math.max(8, options.targetTokens ?? CHUNK_TARGET_TOKENS);
  const overlap = Math.min(0.5, Math.max(0, options.overlap ?? CHUNK_OVERLAP));
  const pageOf = (offset: number) => (options.pageStarts?.length ? pageAt(options.pageStarts, offset) : null);

  const chunks: TextChunk[] = [];
  const path: { level: number; text: string }[] = [];
  let units: Unit[] = [];
  const flush = () => {
    for (const c of pack(units, target, overlap)) {
      chunks.push({ ...c, headingPath: path.map((h) => h.text), page: pageOf(c.offset) });
    }
    units = [];
  };

  for (const block of parseBlocks(text)) {
    if (block.kind === "heading") {
      flush();
      while (path.length && path[path.length - 1]!.level >= block.level) path.pop();
      path.push({ level: block.level, text: block.text });
    } else if (block.kind === "table") {
      units.push(...tableUnits(block, target));
    } else {
      units.push(...paragraphUnits(block.text, block.offset, target));
    }
  }
  flush();
  return chunks.map(({ content, tokenCount, headingPath, page }) => ({ content, tokenCount, headingPath, page }));
}

function pageAt(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;
const TABLE_ROW = /^\s*\|.*\|\s*$/;
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/;

function parseBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split("\n");
  let offset = 0;
  let paragraph: string[] = [];
  let paragraphAt = 0;
  let table: { lines: string[]; offset: number } | null = null;
  const endParagraph = () => {
    const body = paragraph.join("\n").trim();
    if (body) blocks.push({ kind: "paragraph", text: body, offset: paragraphAt });
    paragraph = [];
  };
  const endTable = () => {
    if (!table) return;
    const [first, ...rest] = table.lines;
    const rule = rest[0] && TABLE_RULE.test(rest[0]) ? [rest.shift()!] : [];
    blocks.push({ kind: "table", header: [first!, ...rule], rows: rest, offset: table.offset });
    table = null;
  };
  for (const line of lines) {
    const heading = HEADING.exec(line);
    if (TABLE_ROW.test(line)) {
      endParagraph();
      table ??= { lines: [], offset };
      table.lines.push(line.trim());
    } else {
      endTable();
      if (heading) {
        endParagraph();
        blocks.push({ kind: "heading", level: heading[1]!.length, text: heading[2]!, offset });
      } else if (line.trim() === "") {
        endParagraph();
      } else {
        if (paragraph.length === 0) paragraphAt = offset;
        paragraph.push(line);
      }
    }
    offset += line.length + 1;
  }
  endTable();
  endParagraph();
  return blocks;
}

function tableUnits(block: Extract<Block, { kind: "table" }>, target: number): Unit[] {
  const whole = [...block.header, ...block.rows].join("\n");
  const tokens = countTokens(whole);
  if (tokens <= target) return [{ text: whole, tokens, offset: block.offset, join: "\n\n" }];
  return block.rows.map((row, i) => {
    const text = i === 0 ? [...block.header, row].join("\n") : row;
    return {
      text,
      tokens: countTokens(text),
      offset: block.offset,
      join: i === 0 ? "\n\n" : "\n",
      row: true,
      ...(i === 0 ? {} : { header: block.header }),
    };
  });
}

/** A paragraph as sentences (or word groups when a sentence alone is too long). */
function paragraphUnits(text: string, offset: number, target: number): Unit[] {
  const tokens = countTokens(text);
  if (tokens <= target) return [{ text, tokens, offset, join: "\n\n" }];
  const out: Unit[] = [];
  for (const s of sentences.segment(text)) {
    const sentence = s.segment;
    const n = countTokens(sentence);
    if (n <= target) {
      out.push({ text: sentence, tokens: n, offset: offset + s.index, join: "" });
      continue;
    }
    // One "sentence" longer than a chunk (Thai without punctuation, a run-on list): cut between words.
    let piece = "";
    let pieceTokens = 0;
    let pieceAt = s.index;
    for (const w of words.segment(sentence)) {
      const counts = w.isWordLike ? 1 : 0;
      if (pieceTokens + counts > target * 0.5 && piece.trim()) {
        out.push({ text: piece, tokens: pieceTokens, offset: offset + pieceAt, join: "" });
        piece = "";
        pieceTokens = 0;
        pieceAt = s.index + w.index;
      }
      piece += w.segment;
      pieceTokens += counts;
    }
    if (piece.trim()) out.push({ text: piece, tokens: pieceTokens, offset: offset + pieceAt, join: "" });
  }
  if (out[0]) out[0] = { ...out[0], join: "\n\n" };
  return out;
}

function pack(
  units: Unit[],
  target: number,
  overlap: number,
): { content: string; tokenCount: number; offset: number }[] {
  const out: { content: string; tokenCount: number; offset: number }[] = [];
  let current: Unit[] = [];
  let tokens = 0;
  let fresh = 0;
  const emit = () => {
    if (fresh === 0) return;
    const first = current[0]!;
    const head = first.header ? `${first.header.join("\n")}\n` : "";
    const body = current.map((u, i) => (i === 0 ? u.text : u.join + u.text)).join("");
    const content = (head + body).trim();
    out.push({ content, tokenCount: countTokens(content), offset: first.offset });
  };
  for (const unit of units) {
    if (tokens + unit.tokens > target && fresh > 0) {
      emit();
      // Carry the last sentences (not table rows) into the next chunk, up to the overlap's share.
      const carried: Unit[] = [];
      let carriedTokens = 0;
      for (let i = current.length - 1; i >= 0; i--) {
        const u = current[i]!;
        if (u.row || unit.row || carriedTokens + u.tokens > target * overlap) break;
        carried.unshift(u);
        carriedTokens += u.tokens;
      }
      current = carried;
      tokens = carriedTokens;
      fresh = 0;
    }
    current.push(unit);
    tokens += unit.tokens;
    fresh++;
  }
  emit();
  return out;
}
