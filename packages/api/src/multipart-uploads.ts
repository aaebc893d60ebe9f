/**
 * Multipart uploads streamed to disk: each file goes straight to a file under `DATA_DIR` as it
 * arrives, so a 20 MB PDF is never held whole in memory, and the parser stops at the first file
 * past its limit. Busboy parses; the body comes from the request's stream (Hono's `c.req.raw.body`).
 */
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { DomainError } from "@tandem/core";
import busboy from "busboy";

/** One stored file; `path` is relative to `dataDir`. */
export interface UploadedFile {
  name: string;
  /** As declared by the client (the route checks the bytes). */
  mime: string;
  size: number;
  path: string;
}

export interface UploadLimits {
  /** The form field the files come in; a file in any other field is refused. */
  fileField: string;
  maxFiles: number;
  maxFileBytes: number;
  /** Text fields accepted (others are refused), each at most `maxFieldBytes`. */
  fields: readonly string[];
  maxFieldBytes: number;
}

export interface ReceivedUploads {
  /** In the order sent; `path` is relative to `dataDir`. */
  files: UploadedFile[];
  fields: Record<string, string>;
}

const megabytes = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MB`;

/**
 * Reads a `multipart/form-data` request into `dataDir/dir`. Throws 400 `invalid_input` (not
 * multipart, too many files, an unknown field), 413 `file_too_large` (a file past `maxFileBytes`,
 * named in `details`); what was written so far stays for the caller to delete.
 */
export async function receiveUploads(
  request: Request,
  target: { dataDir: string; dir: string },
  limits: UploadLimits,
): Promise<ReceivedUploads> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\b/i.test(type) || !request.body) {
    throw new DomainError("invalid_input", "Send the files as multipart/form-data", {
      details: [{ path: "body", message: "expected multipart/form-data with the files in `files`" }],
    });
  }
  await mkdir(path.join(target.dataDir, target.dir), { recursive: true });

  const files: UploadedFile[] = [];
  const fields: Record<string, string> = {};
  const writes: Promise<void>[] = [];
  let failure: DomainError | undefined;
  const parser = busboy({
    headers: { "content-type": type },
    limits: {
      files: limits.maxFiles,
      fileSize: limits.maxFileBytes,
      fields: limits.fields.length * 2,
      fieldSize: limits.maxFieldBytes,
      // Busboy refuses the part that reaches `parts` (not the one past it): one more than the most allowed.
      parts: limits.maxFiles + limits.fields.length * 2 + 1,
    },
    defParamCharset: "utf8",
  });
  const fail = (error: DomainError) => {
    failure ??= error;
    parser.removeAllListeners("file");
  };

  parser.on("file", (field, stream, info) => {
    if (field !== limits.fileField || failure) {
      if (!failure) {
        fail(
          new DomainError(
            "invalid_input",
            `Unexpected file field "${field}": send the files in "${limits.fileField}"`,
            {
              details: [{ path: field, message: `files go in "${limits.fileField}"` }],
            },
          ),
        );
      }
      stream.resume();
      return;
    }
    const name = cleanName(info.filename, files.length);
    const relative = path.join(target.dir, String(files.length));
    const entry: UploadedFile = { name, mime: info.mimeType || "application/octet-stream", size: 0, path: relative };
    files.push(entry);
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        entry.size += chunk.length;
        callback(null, chunk);
      },
    });
    stream.on("limit", () => {
      fail(
        new DomainError("file_too_large", `${name} is larger than ${megabytes(limits.maxFileBytes)}`, {
          details: [{ path: "files", name, maxBytes: limits.maxFileBytes }],
        }),
      );
    });
    writes.push(pipeline(stream, counter, createWriteStream(path.join(target.dataDir, relative))));
  });
  parser.on("field", (field, value, info) => {
    if (!limits.fields.includes(field)) {
      fail(
        new DomainError("invalid_input", `Unknown field "${field}"`, {
          details: [{ path: field, message: `accepted fields: ${[limits.fileField, ...limits.fields].join(", ")}` }],
        }),
      );
      return;
    }
    if (info.valueTruncated) {
      fail(
        new DomainError("invalid_input", `The field "${field}" is too long`, {
          details: [{ path: field, message: `at most ${limits.maxFieldBytes} bytes` }],
        }),
      );
      return;
    }
    fields[field] = value;
  });
  const tooManyParts = () =>
    fail(
      new DomainError("invalid_input", "The form has too many parts", {
        details: [
          { path: "body", message: `at most ${limits.maxFiles} files and the fields ${limits.fields.join(", ")}` },
        ],
      }),
    );
  parser.on("partsLimit", tooManyParts);
  parser.on("fieldsLimit", tooManyParts);
  parser.on("filesLimit", () => {
    fail(
      new DomainError("invalid_input", `Upload at most ${limits.maxFiles} files`, {
        details: [{ path: limits.fileField, message: `at most ${limits.maxFiles} files` }],
      }),
    );
  });

  try {
    await pipeline(Readable.fromWeb(request.body as WebReadableStream<Uint8Array>), parser);
    await Promise.all(writes);
  } catch (error) {
    await Promise.allSettled(writes);
    if (failure) throw failure;
    throw new DomainError("invalid_input", "The multipart body could not be read", {
      details: [{ path: "body", message: error instanceof Error ? error.message : String(error) }],
    });
  }
  if (failure) throw failure;
  return { files, fields };
}

/** A file name to show and store: the last path segment, printable, at most 200 characters. */
function cleanName(filename: string | undefined, index: number): string {
  const base = (filename ?? "").split(/[\\/]/).pop() ?? "";
  const clean = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join("")
    .trim()
    .slice(0, 200);
  return clean || `file-${index + 1}`;
}
