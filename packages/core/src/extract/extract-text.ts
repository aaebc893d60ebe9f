/**
 * Text out of an uploaded file, offline: a PDF's text layer (pdf-parse, on pdfjs) with where each
 * page starts, images by OCR (tesseract.js, `ocr.ts`), DOCX (mammoth, headings kept as `#` lines;
 * a ZIP bomb refused before anything is inflated), HTML as readable text with its headings
 * (`html-to-text.ts`), CSV rows as `column: value` lines, TXT and Markdown as UTF-8. A PDF without a
 * text layer (a scan) has its first pages rendered and OCR'd. The text is cleaned (control
 * characters, whitespace, a PDF's header and footer lines repeated on most pages). Shared by the
 * prompt generation and the knowledge base's documents.
 *
 * Failures a person can act on are `DomainError`s: 415 `unsupported_file_type` (not one of the
 * types above, whatever its name says), 422 `unreadable_file` (a password-protected or damaged PDF,
 * a broken DOCX). An empty result is not an error here: the caller decides what "nothing" means.
 */
import mammoth from "mammoth";
import { PDFParse } from "pdf-parse";
import { DomainError } from "../errors.ts";
import { CsvSyntaxError, parseCsv } from "./csv.ts";
import { htmlToText } from "./html-to-text.ts";
import { type Ocr, openOcr } from "./ocr.ts";
import { assertSupportedFile } from "./sniff-file-type.ts";
import type { ExtractInput, ExtractResult } from "./types.ts";
import { assertSafeZip } from "./zip-guard.ts";

/** Pages of a PDF whose text layer is read; the rest are skipped with a warning. */
export const MAX_PDF_PAGES = 200;
/** Pages of a scanned PDF rendered and OCR'd (each takes about a second). */
export const MAX_OCR_PAGES = 10;
/** Below this many letters or digits, a PDF's text layer counts as absent (a scan with a page number). */
const MIN_TEXT_LAYER = 16;
/** One image (or scanned page) longer than this in OCR is given up on. */
export const OCR_TIMEOUT_MS = 60_000;
/** Tesseract's mean confidence under which the result is flagged. */
const LOW_CONFIDENCE = 60;

export const NO_TEXT_LAYER = "this PDF has no text layer (scanned?)";

/** Opens the OCR worker on first use only, so a batch without images never starts it. */
export interface OcrSource {
  get(): Promise<Ocr>;
  close(): Promise<void>;
}

export function lazyOcr(open: () => Promise<Ocr> = () => openOcr()): OcrSource {
  let opened: Promise<Ocr> | undefined;
  return {
    get: () => {
      opened ??= open();
      return opened;
    },
    close: async () => {
      if (opened) await (await opened).close();
      opened = undefined;
    },
  };
}

export interface ExtractOptions {
  /** The OCR worker to use (shared across a batch); without it, one is opened and closed for this file. */
  ocr?: OcrSource;
  maxPdfPages?: number;
  maxOcrPages?: number;
  ocrTimeoutMs?: number;
}

export async function extractText(input: ExtractInput, options: ExtractOptions = {}): Promise<ExtractResult> {
  const kind = assertSupportedFile(input.bytes, input);
  const own = options.ocr ? undefined : lazyOcr();
  const ocr = options.ocr ?? own!;
  try {
    switch (kind) {
      case "text":
        return { text: normalize(decodeUtf8(input)), method: "text", kind, warnings: [] };
      case "html":
        return { text: normalize(htmlToText(decodeUtf8(input)).text), method: "text", kind, warnings: [] };
      case "csv":
        return { text: normalize(csvToText(input)), method: "text", kind, warnings: [] };
      case "docx":
        return { ...(await readDocx(input)), kind };
      case "pdf":
        return { ...(await readPdf(input, ocr, options)), kind };
      default: {
        const worker = await ocr.get();
        try {
          const { text, warnings } = await recognize(worker, input.bytes, "the image", options.ocrTimeoutMs);
          return { text, method: "ocr", kind, warnings };
        } catch (error) {
          if (error instanceof OcrTimeout) {
            await ocr.close();
            throw unreadable(input, error.message, error);
          }
          throw unreadable(input, "the image is damaged or in a format variant OCR cannot decode", error);
        }
      }
    }
  } finally {
    await own?.close();
  }
}

const label = (input: ExtractInput) => input.name || "The file";

function unreadable(input: ExtractInput, why: string, cause?: unknown): DomainError {
  return new DomainError("unreadable_file", `${label(input)} cannot be read: ${why}.`, {
    details: [{ path: "files", name: input.name ?? null, reason: why }],
    cause,
  });
}

function decodeUtf8(input: ExtractInput): string {
  try {
    // `ignoreBOM: false` (the default) drops a leading byte-order mark.
    return new TextDecoder("utf-8", { fatal: true }).decode(input.bytes);
  } catch (error) {
    throw unreadable(input, "it is not valid UTF-8 text", error);
  }
}

/** Unix line ends, no control characters, no trailing spaces, at most one blank line in a row. */
function normalize(text: string): string {
  return (
    text
      .replace(/^\uFEFF/, "")
      .replace(/\r\n?/g, "\n")
      .replace(/\f/g, "\n")
      // Control characters other than line ends and tabs, zero-width spaces, stray byte-order marks.
      .replace(/[^\P{Cc}\n\t]|[\u200b\ufeff]/gu, "")
      .replace(/[ \t]+\n/g, "\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}

/** Every record a paragraph of `column: value` lines (empty values left out), under the header's names. */
function csvToText(input: ExtractInput): string {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(decodeUtf8(input));
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw unreadable(input, `it is not valid CSV (${error.message})`, error);
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) return "";
  const names = header.fields.map((f, i) => f.trim() || `column ${i + 1}`);
  return rows
    .map((r) =>
      r.fields
        .map((v, i) => (v.trim() ? `${names[i] ?? `column ${i + 1}`}: ${v.trim().replace(/\s*\n\s*/g, " ")}` : null))
        .filter(Boolean)
        .join("\n"),
    )
    .filter(Boolean)
    .join("\n\n");
}

/** Headings and tables survive: mammoth writes HTML (Word's heading styles as h1–h6), read like any page. */
async function readDocx(input: ExtractInput): Promise<Omit<ExtractResult, "kind">> {
  assertSafeZip(input.bytes, label(input));
  let result: Awaited<ReturnType<typeof mammoth.convertToHtml>>;
  try {
    result = await mammoth.convertToHtml({ buffer: Buffer.from(input.bytes) });
  } catch (error) {
    throw unreadable(input, "it is not a valid Word document (damaged, or another ZIP file renamed .docx)", error);
  }
  const warnings = result.messages.filter((m) => m.type === "error").map((m) => m.message);
  return { text: normalize(htmlToText(result.value).text), method: "docx", warnings };
}

async function readPdf(
  input: ExtractInput,
  ocr: OcrSource,
  options: ExtractOptions,
): Promise<Omit<ExtractResult, "kind">> {
  const maxPages = options.maxPdfPages ?? MAX_PDF_PAGES;
  // A copy: pdfjs transfers (detaches) the buffer it is given.
  const parser = new PDFParse({ data: new Uint8Array(input.bytes), verbosity: 0 });
  try {
    let pages: { num: number; text: string }[];
    let total: number;
    try {
      const result = await parser.getText({ first: maxPages });
      pages = result.pages;
      total = result.total;
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === "PasswordException")
        throw unreadable(input, "the PDF is password-protected; remove the password and upload it again", error);
      throw unreadable(input, "it is not a valid PDF (damaged or incomplete)", error);
    }
    const warnings: string[] = [];
    if (total > maxPages) warnings.push(`only the first ${maxPages} of ${total} pages were read`);
    const { text, pageStarts } = joinPages(pages.map((p) => normalize(p.text)));
    if ((text.match(/[\p{L}\p{N}]/gu)?.length ?? 0) >= MIN_TEXT_LAYER) {
      return { text, pages: total, pageStarts, method: "pdf", warnings };
    }
    return { ...(await ocrPdf(parser, ocr, total, options)), pages: total };
  } finally {
    await parser.destroy();
  }
}

/** A scanned PDF: its first pages rendered (pdfjs on @napi-rs/canvas, prebuilt) and OCR'd. */
async function ocrPdf(
  parser: PDFParse,
  ocr: OcrSource,
  total: number,
  options: ExtractOptions,
): Promise<Omit<ExtractResult, "kind" | "pages">> {
  const maxPages = options.maxOcrPages ?? MAX_OCR_PAGES;
  let shots: Awaited<ReturnType<PDFParse["getScreenshot"]>>;
  try {
    shots = await parser.getScreenshot({ first: maxPages, scale: 2, imageBuffer: true, imageDataUrl: false });
  } catch {
    return { text: "", method: "pdf", warnings: [`${NO_TEXT_LAYER}, and its pages could not be rendered for OCR`] };
  }
  const warnings = [`${NO_TEXT_LAYER}: its pages were read by OCR`];
  if (total > maxPages) warnings.push(`only the first ${maxPages} of ${total} pages were OCR'd`);
  const worker = await ocr.get();
  const texts: string[] = [];
  for (const page of shots.pages) {
    try {
      const result = await recognize(worker, page.data, `page ${page.pageNumber}`, options.ocrTimeoutMs);
      texts.push(result.text);
      warnings.push(...result.warnings);
    } catch (error) {
      if (!(error instanceof OcrTimeout)) throw error;
      await ocr.close();
      warnings.push(`page ${page.pageNumber} and those after it were skipped: ${error.message}`);
      break;
    }
  }
  return { ...joinPages(texts), method: "ocr", warnings };
}

/**
 * The pages' texts one after another (a blank line between), with where each starts, after dropping
 * the header and footer lines a PDF repeats: a first or last line found on at least half of three
 * or more pages (page numbers ignored).
 */
function joinPages(pages: string[]): { text: string; pageStarts: number[] } {
  const key = (line: string) => line.replace(/\d+/g, "#").trim();
  const repeated = new Set<string>();
  if (pages.length >= 3) {
    const seen = new Map<string, number>();
    for (const page of pages) {
      const lines = page.split("\n").filter((l) => l.trim());
      for (const line of new Set([lines[0], lines[lines.length - 1]])) {
        if (line) seen.set(key(line), (seen.get(key(line)) ?? 0) + 1);
      }
    }
    for (const [line, n] of seen) if (line && n >= Math.ceil(pages.length / 2)) repeated.add(line);
  }
  let text = "";
  const pageStarts: number[] = [];
  for (const page of pages) {
    const lines = page.split("\n");
    while (lines.length && (!lines[0]!.trim() || repeated.has(key(lines[0]!)))) lines.shift();
    while (lines.length && (!lines[lines.length - 1]!.trim() || repeated.has(key(lines[lines.length - 1]!))))
      lines.pop();
    if (text) text += "\n\n";
    pageStarts.push(text.length);
    text += lines.join("\n");
  }
  return { text, pageStarts };
}

class OcrTimeout extends Error {}

async function recognize(
  worker: Ocr,
  image: Uint8Array,
  where = "the image",
  timeoutMs = OCR_TIMEOUT_MS,
): Promise<{ text: string; warnings: string[] }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new OcrTimeout(`reading ${where} by OCR took longer than ${Math.round(timeoutMs / 1000)} seconds`)),
      timeoutMs,
    );
  });
  const { text, confidence } = await Promise.race([worker.recognize(image), timeout]).finally(() =>
    clearTimeout(timer),
  );
  const clean = normalize(text);
  const warnings =
    clean && confidence < LOW_CONFIDENCE
      ? [`the text of ${where} was hard to read (OCR confidence ${Math.round(confidence)}%): check the result`]
      : [];
  return { text: clean, warnings };
}
