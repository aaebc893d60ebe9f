/** What a file's bytes turned out to be (by magic bytes, not by the name or the declared type). */
export type FileKind = "pdf" | "png" | "jpeg" | "webp" | "docx" | "text" | "html" | "csv";

export interface ExtractInput {
  bytes: Uint8Array;
  /** The declared type (from the upload); only a hint, the bytes decide. */
  mime?: string | undefined;
  /** The file name; decides only between plain text and Markdown and unsupported text-like names. */
  name?: string | undefined;
}

export interface ExtractResult {
  text: string;
  /** Pages of a PDF (all of them, even past the page cap). */
  pages?: number | undefined;
  /** Where each page read starts in `text` (PDF), for the chunks to know their page. */
  pageStarts?: number[] | undefined;
  /** How the text was read: a text file, a PDF's text layer, OCR of an image or a scanned PDF, a DOCX. */
  method: "text" | "pdf" | "ocr" | "docx";
  kind: FileKind;
  /** What a person should know about the result: pages skipped, a scanned PDF, low OCR confidence. */
  warnings: string[];
}
