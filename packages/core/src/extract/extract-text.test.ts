/**
 * Text extraction on real files (tests/fixtures/prompt-generation, written by make-fixtures.mjs):
 * a PDF with a text layer, a scanned PDF, a PNG read by OCR, a DOCX, text files; type sniffing by
 * magic bytes; damaged files refused with a reason; OCR with no network at all.
 */
import { execFile } from "node:child_process";
import { readFileSync, realpathSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { DomainError } from "../errors.ts";
import { extractText, lazyOcr, NO_TEXT_LAYER } from "./extract-text.ts";
import { OCR_LANGUAGES, ocrDataFile, ocrLangPath } from "./ocr.ts";
import { sniffFileType } from "./sniff-file-type.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../../..");
const fixture = (name: string) =>
  new Uint8Array(readFileSync(path.join(root, "tests/fixtures/prompt-generation", name)));

// One OCR worker for the file, as a job shares one across its uploads.
const ocr = lazyOcr();
afterAll(() => ocr.close());

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe("sniffFileType", () => {
  it("goes by the bytes, not by the name or the declared type", () => {
    expect(sniffFileType(fixture("spa-menu.pdf"), { name: "menu.txt", mime: "text/plain" })).toBe("pdf");
    expect(sniffFileType(fixture("opening-hours.png"), { name: "hours.pdf", mime: "application/pdf" })).toBe("png");
    expect(sniffFileType(fixture("vouchers.docx"), { name: "x.bin" })).toBe("docx");
    expect(sniffFileType(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10), {})).toBe("jpeg");
    const webp = new Uint8Array([...Buffer.from("RIFF"), 0x24, 0, 0, 0, ...Buffer.from("WEBPVP8 ")]);
    expect(sniffFileType(webp, {})).toBe("webp");
  });

  it("takes text only when it is UTF-8 without NUL and named or declared as text", () => {
    const text = new TextEncoder().encode("# Menu\nผัดไทย 60 บาท\n");
    expect(sniffFileType(text, { name: "menu.md" })).toBe("text");
    expect(sniffFileType(text, { name: "menu", mime: "text/plain" })).toBe("text");
    // Text under a name that says something else is not guessed at.
    expect(sniffFileType(text, { name: "menu.exe", mime: "application/octet-stream" })).toBeNull();
    // Latin-1 bytes are not UTF-8; an executable renamed .txt has NULs.
    expect(sniffFileType(Uint8Array.of(0x63, 0x61, 0x66, 0xe9), { name: "cafe.txt" })).toBeNull();
    expect(sniffFileType(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 0, 0, 0), { name: "notes.txt" })).toBeNull();
  });

  it("refuses a ZIP that is not a Word document, and an executable named .pdf", () => {
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...Buffer.from("xl/workbook.xml")]);
    expect(sniffFileType(zip, { name: "sheet.docx" })).toBeNull();
    expect(
      sniffFileType(Uint8Array.of(0x4d, 0x5a, 0x90, 0), { name: "invoice.pdf", mime: "application/pdf" }),
    ).toBeNull();
  });
});

describe("extractText", () => {
  it("reads a PDF's text layer with its page count", async () => {
    const result = await extractText(
      { bytes: fixture("spa-menu.pdf"), name: "spa-menu.pdf", mime: "application/pdf" },
      { ocr },
    );
    expect(result).toMatchObject({ method: "pdf", kind: "pdf", pages: 1, warnings: [] });
    expect(result.text).toContain("Thai massage, 60 minutes: 800 baht");
    expect(result.text).toContain("cancelled free of charge up to 24 hours");
  });

  it("caps the pages read and says so", async () => {
    const result = await extractText({ bytes: fixture("spa-menu.pdf"), name: "spa-menu.pdf" }, { ocr, maxPdfPages: 0 });
    expect(result.warnings).toEqual(["only the first 0 of 1 pages were read"]);
  });

  it("OCRs a scanned PDF that has no text layer, and says it was scanned", async () => {
    const result = await extractText({ bytes: fixture("scanned-hours.pdf"), name: "scan.pdf" }, { ocr });
    expect(result.method).toBe("ocr");
    expect(result.pages).toBe(1);
    expect(result.warnings[0]).toContain(NO_TEXT_LAYER);
    expect(result.text).toMatch(/Opening hours: Monday to Friday/);
  });

  it("reads the text of a PNG by OCR", async () => {
    const result = await extractText(
      { bytes: fixture("opening-hours.png"), name: "hours.png", mime: "image/png" },
      { ocr },
    );
    expect(result).toMatchObject({ method: "ocr", kind: "png" });
    expect(result.text).toContain("Opening hours: Monday to Friday");
    expect(result.text).toContain("Free parking");
  });

  it("reads a DOCX", async () => {
    const result = await extractText({ bytes: fixture("vouchers.docx"), name: "vouchers.docx" });
    expect(result).toMatchObject({ method: "docx", kind: "docx", warnings: [] });
    expect(result.text).toBe(
      "Gift vouchers\n\nGift vouchers are valid for 12 months from the date of purchase.\n\nVouchers cannot be exchanged for cash.",
    );
  });

  it("reads UTF-8 text and Markdown without the byte-order mark, with Unix line ends", async () => {
    const bytes = new Uint8Array([
      0xef,
      0xbb,
      0xbf,
      ...new TextEncoder().encode("# สปา\r\nOpen 10–21\r\n\r\n\r\n\r\nBye  \r\n"),
    ]);
    const result = await extractText({ bytes, name: "about.md" });
    expect(result).toEqual({ text: "# สปา\nOpen 10–21\n\nBye", method: "text", kind: "text", warnings: [] });
  });

  it("refuses an unsupported file with 415 unsupported_file_type naming it", async () => {
    const error = await failure(extractText({ bytes: Uint8Array.of(0x4d, 0x5a, 0x90, 0), name: "setup.pdf" }));
    expect(error.code).toBe("unsupported_file_type");
    expect(error.message).toContain("setup.pdf");
  });

  it("refuses a damaged PDF and a damaged DOCX with a reason", async () => {
    const pdf = await failure(
      extractText({ bytes: new TextEncoder().encode("%PDF-1.7\n1 0 obj garbage"), name: "broken.pdf" }, { ocr }),
    );
    expect(pdf).toMatchObject({ code: "unreadable_file" });
    expect(pdf.message).toMatch(/broken\.pdf cannot be read: it is not a valid PDF/);
    const docx = await failure(
      extractText({
        bytes: Uint8Array.from([0x50, 0x4b, 0x03, 0x04, ...Buffer.from("word/document.xml")]),
        name: "b.docx",
      }),
    );
    expect(docx).toMatchObject({ code: "unreadable_file" });
    expect(docx.message).toContain("not a valid Word document");
  });

  it("refuses a password-protected PDF", async () => {
    const error = await failure(extractText({ bytes: encryptedPdf(), name: "secret.pdf" }, { ocr }));
    expect(error).toMatchObject({ code: "unreadable_file" });
    expect(error.message).toContain("password-protected");
  });
});

describe("OCR offline", () => {
  it("reads its language data from the npm packages, through a local directory", async () => {
    const dir = await ocrLangPath();
    expect(path.isAbsolute(dir)).toBe(true);
    for (const language of OCR_LANGUAGES) {
      const file = ocrDataFile(language);
      expect(file).toContain(path.join("node_modules", "@tesseract.js-data", language));
      expect(realpathSync(path.join(dir, `${language}.traineddata.gz`))).toBe(realpathSync(file));
    }
  });

  it("works in a process where every network connection and DNS lookup fails, worker threads included", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "ocr-offline-"));
    const blocker = path.join(dir, "no-network.cjs");
    // Preloaded with --require, so worker threads (tesseract's) load it too.
    writeFileSync(
      blocker,
      `const net = require("node:net"); const dns = require("node:dns");
const refuse = () => { throw new Error("network is not allowed in this test"); };
net.Socket.prototype.connect = refuse; net.connect = refuse; net.createConnection = refuse;
dns.lookup = refuse; dns.promises.lookup = refuse;
globalThis.fetch = async () => refuse();`,
    );
    const script = path.join(dir, "ocr.mts");
    writeFileSync(
      script,
      `import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { openOcr } from ${JSON.stringify(path.join(here, "ocr.ts"))};
// The blocker holds in a worker thread too.
const probe = await new Promise((resolve) => {
  const w = new Worker("const { parentPort } = require('node:worker_threads'); try { require('node:net').connect(80, 'example.com'); parentPort.postMessage('connected') } catch (e) { parentPort.postMessage(String(e.message)) }", { eval: true });
  w.on("message", (m) => { resolve(m); void w.terminate(); });
});
const ocr = await openOcr();
const { text } = await ocr.recognize(new Uint8Array(readFileSync(${JSON.stringify(path.join(root, "tests/fixtures/prompt-generation/opening-hours.png"))})));
await ocr.close();
console.log(JSON.stringify({ probe, text }));`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, ["--require", blocker, "--import", "tsx", script], {
      cwd: root,
      timeout: 60_000,
    });
    const out = JSON.parse(stdout.trim().split("\n").at(-1)!) as { probe: string; text: string };
    expect(out.probe).toBe("network is not allowed in this test");
    expect(out.text).toContain("Opening hours: Monday to Friday");
  }, 90_000);
});

/**
 * A minimal PDF with an `/Encrypt` dictionary (standard security handler, RC4 40-bit) whose user
 * password is not empty: pdfjs asks for the password, as for any protected PDF.
 */
function encryptedPdf(): Uint8Array {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    `<< /Filter /Standard /V 1 /R 2 /O <${"ab".repeat(32)}> /U <${"cd".repeat(32)}> /P -4 >>`,
  ];
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Encrypt 4 0 R /ID [<${"01".repeat(16)}> <${"01".repeat(16)}>] >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(body);
}
