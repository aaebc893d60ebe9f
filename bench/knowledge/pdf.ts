/**
 * A text PDF written by hand (PDF 1.4, Helvetica, one content stream per page), so the ingest bench
 * needs no PDF library: each page is a heading and lines of text that pdf.js extracts like any PDF's.
 * Only printable ASCII is written (the base font's encoding).
 */
export interface PdfPage {
  heading: string;
  lines: string[];
}

const pdfString = (text: string) => text.replace(/[\\()]/g, (c) => `\\${c}`);

export function makePdf(pages: readonly PdfPage[]): Uint8Array {
  // 1 catalog, 2 pages tree, 3 font, then per page: the page object and its content stream.
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 4 + i * 2);
  objects.push("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push(`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`);
  objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  for (const [i, page] of pages.entries()) {
    const ops = [
      "BT",
      "/F1 16 Tf",
      "18 TL",
      "56 790 Td",
      `(${pdfString(page.heading)}) Tj`,
      "/F1 10 Tf",
      "14 TL",
      "T*",
    ];
    for (const line of page.lines) ops.push(`(${pdfString(line)}) '`);
    ops.push("ET");
    const stream = ops.join("\n");
    objects.push(
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageIds[i]! + 1} 0 R >>`,
    );
    objects.push(`<< /Length ${Buffer.byteLength(stream, "latin1")} >>\nstream\n${stream}\nendstream`);
  }
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(body, "latin1"));
}

/** Words of `text` wrapped into lines of at most `width` characters. */
export function wrap(text: string, width = 95): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
