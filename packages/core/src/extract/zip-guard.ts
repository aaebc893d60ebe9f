import { DomainError } from "../errors.ts";

/** A DOCX larger than this once unzipped is refused (real documents are far below; a zip bomb is not). */
export const MAX_UNZIPPED_BYTES = 200 * 1024 * 1024;
/** …and so is one whose parts inflate more than this many times (text XML compresses ~10×). */
export const MAX_COMPRESSION_RATIO = 200;
const MAX_ENTRIES = 10_000;

/**
 * Reads a ZIP's central directory (without inflating anything) and refuses an archive that would
 * unpack to more than `MAX_UNZIPPED_BYTES`, or whose entries inflate more than `MAX_COMPRESSION_RATIO`
 * times overall, or that has too many entries: 422 `unreadable_file` naming the file. Sizes are the
 * ones the directory declares; an entry that lies about its size fails in the inflater anyway.
 */
export function assertSafeZip(bytes: Uint8Array, name = "The file"): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record: its signature within the last 64 KB + 22 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  const refuse = (why: string) =>
    new DomainError("unreadable_file", `${name} cannot be read: ${why}.`, {
      details: [{ path: "files", name, reason: why }],
    });
  if (eocd < 0) throw refuse("it is not a valid Word document (its ZIP directory is missing)");
  const entries = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (entries > MAX_ENTRIES) throw refuse(`it holds ${entries} files, more than a Word document has`);
  let unzipped = 0;
  let compressed = 0;
  for (let n = 0; n < entries; n++) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== 0x02014b50) {
      throw refuse("it is not a valid Word document (its ZIP directory is damaged)");
    }
    compressed += view.getUint32(offset + 20, true);
    unzipped += view.getUint32(offset + 24, true);
    offset +=
      46 + view.getUint16(offset + 28, true) + view.getUint16(offset + 30, true) + view.getUint16(offset + 32, true);
  }
  if (unzipped > MAX_UNZIPPED_BYTES) {
    throw refuse(
      `it would unpack to ${Math.round(unzipped / 1024 / 1024)} MB, more than ${MAX_UNZIPPED_BYTES / 1024 / 1024} MB (a ZIP bomb?)`,
    );
  }
  if (unzipped > 10 * 1024 * 1024 && unzipped / Math.max(1, compressed) > MAX_COMPRESSION_RATIO) {
    throw refuse(
      `it is compressed ${Math.round(unzipped / Math.max(1, compressed))} times, far beyond a real document (a ZIP bomb?)`,
    );
  }
}
