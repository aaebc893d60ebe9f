import { open } from "node:fs/promises";
import { DomainError } from "../errors.ts";
import type { FileKind } from "./types.ts";

/**
 * The type of a file from its first bytes. The declared type and the name are not trusted: a PDF
 * renamed `.txt` is read as a PDF, and an executable renamed `.pdf` is refused.
 *
 * - PDF `%PDF-` (within the first 1 KB, as readers allow), PNG, JPEG, WebP (`RIFF….WEBP`) by signature;
 * - DOCX: a ZIP (`PK\3\4`) holding `word/document.xml` — other ZIPs (XLSX, plain archives) are refused;
 * - text (TXT, Markdown, HTML, CSV): no NUL byte and valid UTF-8, and a name or type that says
 *   text; HTML also when it starts like an HTML document. HTML and CSV are told apart by name or type.
 */
export function sniffFileType(
  bytes: Uint8Array,
  hints: { mime?: string | undefined; name?: string | undefined } = {},
): FileKind | null {
  if (startsWith(bytes, PNG)) return "png";
  if (startsWith(bytes, JPEG)) return "jpeg";
  if (startsWith(bytes, RIFF) && startsWith(bytes.subarray(8), WEBP)) return "webp";
  if (indexOf(bytes.subarray(0, 1024), PDF) >= 0) return "pdf";
  if (startsWith(bytes, ZIP)) return indexOf(bytes, DOCX_PART) >= 0 ? "docx" : null;
  if (!looksLikeText(bytes)) return null;
  if (HTML_NAME.test(hints.name ?? "") || HTML_TYPE.test(hints.mime ?? "") || startsLikeHtml(bytes)) return "html";
  if (CSV_NAME.test(hints.name ?? "") || CSV_TYPE.test(hints.mime ?? "")) return "csv";
  if (declaredText(hints)) return "text";
  return null;
}

/** `sniffFileType`, or 415 `unsupported_file_type` naming the file. */
export function assertSupportedFile(
  bytes: Uint8Array,
  hints: { mime?: string | undefined; name?: string | undefined },
): FileKind {
  const kind = sniffFileType(bytes, hints);
  if (kind) return kind;
  const name = hints.name || "the file";
  throw new DomainError(
    "unsupported_file_type",
    `${name} is not a supported file: use PDF, PNG, JPEG, WebP, DOCX, TXT, Markdown, HTML or CSV.`,
    { details: [{ path: "files", name: hints.name ?? null, declaredType: hints.mime ?? null }] },
  );
}

export const SUPPORTED_FILE_TYPES = [
  "application/pdf",
  "image/png",
  "image/jpeg",
  "image/webp",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "text/plain",
  "text/markdown",
  "text/html",
  "text/csv",
] as const;

/** The canonical type of a kind, for what we store (the declared one may be wrong or missing). */
export function mimeOf(kind: FileKind, name?: string): string {
  switch (kind) {
    case "pdf":
      return "application/pdf";
    case "png":
      return "image/png";
    case "jpeg":
      return "image/jpeg";
    case "webp":
      return "image/webp";
    case "docx":
      return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    case "html":
      return "text/html";
    case "csv":
      return "text/csv";
    case "text":
      return /\.(md|markdown)$/i.test(name ?? "") ? "text/markdown" : "text/plain";
  }
}

const bytesOf = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const PNG = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
const JPEG = Uint8Array.of(0xff, 0xd8, 0xff);
const RIFF = bytesOf("RIFF");
const WEBP = bytesOf("WEBP");
const PDF = bytesOf("%PDF-");
const ZIP = Uint8Array.of(0x50, 0x4b, 0x03, 0x04);
const DOCX_PART = bytesOf("word/document.xml");

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function indexOf(bytes: Uint8Array, needle: Uint8Array): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle);
}

const TEXT_NAME = /\.(txt|text|md|markdown)$/i;
const TEXT_TYPE = /^text\/(plain|markdown|x-markdown)\b/i;

const HTML_NAME = /\.(html?|xhtml)$/i;
const HTML_TYPE = /^(text\/html|application\/xhtml\+xml)\b/i;
const CSV_NAME = /\.csv$/i;
const CSV_TYPE = /^(text\/csv|application\/csv)\b/i;

/** `<!doctype html` or `<html` after an optional BOM and whitespace. */
function startsLikeHtml(bytes: Uint8Array): boolean {
  const head = new TextDecoder()
    .decode(bytes.subarray(0, 512))
    .replace(/^\uFEFF/, "")
    .trimStart()
    .toLowerCase();
  return head.startsWith("<!doctype html") || head.startsWith("<html");
}

function declaredText(hints: { mime?: string | undefined; name?: string | undefined }): boolean {
  return TEXT_NAME.test(hints.name ?? "") || TEXT_TYPE.test(hints.mime ?? "");
}

/** No NUL in the first 64 KB and valid UTF-8 there (a cut multi-byte character at the end is fine). */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 64 * 1024);
  if (head.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: head.length < bytes.length });
    return true;
  } catch {
    return false;
  }
}

/** Enough of a file on disk to tell its type: the head, or all of it for a ZIP (a DOCX names its parts anywhere). */
export async function readSniffBytes(file: string): Promise<Uint8Array> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const head = new Uint8Array(Math.min(size, 64 * 1024));
    await handle.read(head, 0, head.length, 0);
    if (head[0] !== 0x50 || head[1] !== 0x4b || size <= head.length) return head;
    const all = new Uint8Array(size);
    await handle.read(all, 0, size, 0);
    return all;
  } finally {
    await handle.close();
  }
}
