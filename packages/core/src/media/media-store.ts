/**
 * Media customers send on platforms that keep it (LINE's images, videos, audio and files), kept on
 * disk under `DATA_DIR/media/{workspaceId}/` and served to signed-in members of that workspace by
 * `GET /api/v1/media/{id}` (`mediaUrl`).
 *
 * Why files and not a URL or the database: LINE's content URL needs the channel's token and LINE
 * deletes content after a while, so the bytes must be ours; keeping them out of `message` rows keeps
 * the inbox queries small. Names are derived from the message and the platform's content reference,
 * so a retried fetch overwrites the same file. In scaled mode every API and worker process needs the
 * same `DATA_DIR` (a shared volume), as for the encryption key file.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

export interface StoredMedia {
  bytes: Uint8Array;
  mime: string;
  name?: string | undefined;
}

const MEDIA_ID = /^med_[0-9a-f]{32}$/;

/** The id a message's content gets: the same for the same message and content reference. */
export const mediaIdOf = (messageId: string, contentRef: string) =>
  `med_${createHash("sha256").update(`${messageId}:${contentRef}`).digest("hex").slice(0, 32)}`;

/** Where the inbox loads it from (same origin, the member's session). */
export const mediaUrl = (id: string) => `/api/v1/media/${id}`;

const fileOf = (dataDir: string, workspaceId: string, id: string) => {
  if (!MEDIA_ID.test(id) || !/^[\w-]+$/.test(workspaceId)) throw new Error("invalid media id");
  return path.join(dataDir, "media", workspaceId, id);
};

export async function saveMedia(dataDir: string, workspaceId: string, id: string, media: StoredMedia): Promise<void> {
  const file = fileOf(dataDir, workspaceId, id);
  await mkdir(path.dirname(file), { recursive: true });
  // Written aside and renamed: a reader never sees half a file.
  await writeFile(`${file}.tmp`, media.bytes);
  await rename(`${file}.tmp`, file);
  await writeFile(`${file}.json`, JSON.stringify({ mime: media.mime, ...(media.name ? { name: media.name } : {}) }));
}

/** The workspace's media by id, or null (another workspace's, or none). */
export async function readMedia(dataDir: string, workspaceId: string, id: string): Promise<StoredMedia | null> {
  if (!MEDIA_ID.test(id)) return null;
  const file = fileOf(dataDir, workspaceId, id);
  try {
    const meta = JSON.parse(await readFile(`${file}.json`, "utf8")) as { mime?: string; name?: string };
    return { bytes: await readFile(file), mime: meta.mime ?? "application/octet-stream", name: meta.name };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** The id of a kept medium from its inbox URL, or null for any other URL. */
export function mediaIdOfUrl(url: string): string | null {
  const id = url.startsWith("/api/v1/media/") ? url.slice("/api/v1/media/".length) : "";
  return MEDIA_ID.test(id) ? id : null;
}

/** Removes a kept medium (the customer unsent the message); nothing when it is not there. */
export async function deleteMedia(dataDir: string, workspaceId: string, id: string): Promise<void> {
  const file = fileOf(dataDir, workspaceId, id);
  await rm(file, { force: true });
  await rm(`${file}.json`, { force: true });
}
