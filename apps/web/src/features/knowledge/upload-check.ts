/**
 * What the dashboard checks before sending files to `POST /knowledge/sources/{id}/documents`: the
 * type by name or declared type against `KNOWLEDGE_UPLOAD_ACCEPT`, the size against the server's
 * limit, empty files and duplicates in one drop (each file goes in its own request, so the number of
 * files is not limited). The server checks again
 * (by content) and answers 413 / 415; this only spares a person the wait for an upload that would fail.
 */
import { KNOWLEDGE_UPLOAD_ACCEPT } from "@tandem/contracts";
import { formatBytes } from "../../lib/format";

export interface FileLike {
  name: string;
  size: number;
  type: string;
}

export type FileCheck<F extends FileLike> = { file: F; ok: true } | { file: F; ok: false; problem: string };

const accepted = KNOWLEDGE_UPLOAD_ACCEPT.split(",").map((entry) => entry.trim().toLowerCase());
const extensions = accepted.filter((entry) => entry.startsWith("."));
const mimeTypes = accepted.filter((entry) => entry.includes("/"));

/** The extensions named in the accept list, for the hint under the drop zone ("PDF, DOCX, …"). */
export const ACCEPTED_EXTENSIONS = [...new Set(extensions.map((e) => e.slice(1).toUpperCase()))].filter(
  (e) => !["MARKDOWN", "HTM", "JPEG"].includes(e),
);

export function isAcceptedType(file: Pick<FileLike, "name" | "type">): boolean {
  const name = file.name.toLowerCase();
  if (extensions.some((ext) => name.endsWith(ext))) return true;
  const type = file.type.toLowerCase().split(";")[0]?.trim() ?? "";
  return type !== "" && mimeTypes.includes(type);
}

export function checkFiles<F extends FileLike>(files: readonly F[], limits: { maxFileBytes: number }): FileCheck<F>[] {
  const seen = new Set<string>();
  return files.map((file): FileCheck<F> => {
    const key = `${file.name}\u0000${file.size}`;
    const duplicate = seen.has(key);
    seen.add(key);
    if (duplicate) return { file, ok: false, problem: "chosen twice" };
    if (!isAcceptedType(file)) return { file, ok: false, problem: "not a file type the knowledge base reads" };
    if (file.size === 0) return { file, ok: false, problem: "the file is empty" };
    if (file.size > limits.maxFileBytes)
      return {
        file,
        ok: false,
        problem: `${formatBytes(file.size)}: larger than the ${formatBytes(limits.maxFileBytes)} limit`,
      };
    return { file, ok: true };
  });
}
