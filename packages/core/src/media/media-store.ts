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
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";

export interface StoredMedia {
  bytes: Uint8Array;
  mime: string;
  name?: string | undefined;
}

/**
 * What is kept beside a file (`{id}.json`). Agents' uploads also say which conversation they were
 * uploaded to, whether a message sent them yet, and that they may be served without a session
 * (`public`: platforms that fetch by URL, the widget, API callers; `publicMediaPath`).
 */
export interface MediaMeta {
  mime: string;
  name?: string;
  /** An upload: what it is sent as (`AttachmentRule.kind`). */
  kind?: "image" | "video" | "audio" | "file";
  size?: number;
  width?: number;
  height?: number;
  /** Served by `GET /api/v1/public/media/…` to anyone who has the (unguessable) path. */
  public?: boolean;
  /** An upload: the conversation it may be sent in, who uploaded it and when (ISO). */
  conversationId?: string;
  uploadedBy?: string | null;
  uploadedAt?: string;
  /** The message that sent it; an upload without one is deleted after a day. */
  sentIn?: string;
  /** A JPEG of at most 240×240 is kept beside it (`readMedia(…, "preview")`). */
  preview?: boolean;
}

const MEDIA_ID = /^med_[0-9a-f]{32}$/;

/** The id a message's content gets: the same for the same message and content reference. */
export const mediaIdOf = (messageId: string, contentRef: string) =>
  `med_${createHash("sha256").update(`${messageId}:${contentRef}`).digest("hex").slice(0, 32)}`;

/** A fresh id for an upload: 128 random bits, so its public path cannot be guessed. */
export const newMediaId = () => `med_${randomBytes(16).toString("hex")}`;

export const isMediaId = (id: string) => MEDIA_ID.test(id);

/**
 * Where anyone may fetch a public medium (no session): the workspace, the id and the file name (for
 * the platform's and the browser's benefit; not checked). Relative to `APP_URL`.
 */
export function publicMediaPath(
  workspaceId: string,
  id: string,
  name: string | undefined,
  variant?: "preview",
): string {
  const file = encodeURIComponent((name ?? "file").replace(/[/\\?#]/g, "_").slice(0, 80) || "file");
  return `/api/v1/public/media/${workspaceId}/${id}/${file}${variant ? `?variant=${variant}` : ""}`;
}

/** Where the inbox loads it from (same origin, the member's session). */
export const mediaUrl = (id: string) => `/api/v1/media/${id}`;

const fileOf = (dataDir: string, workspaceId: string, id: string) => {
  if (!MEDIA_ID.test(id) || !/^[\w-]+$/.test(workspaceId)) throw new Error("invalid media id");
  return path.join(dataDir, "media", workspaceId, id);
};

export async function saveMedia(
  dataDir: string,
  workspaceId: string,
  id: string,
  media: StoredMedia,
  extra: Omit<MediaMeta, "mime" | "name"> & { previewBytes?: Uint8Array } = {},
): Promise<void> {
  const file = fileOf(dataDir, workspaceId, id);
  await mkdir(path.dirname(file), { recursive: true });
  const { previewBytes, ...meta } = extra;
  // Written aside and renamed: a reader never sees half a file.
  await writeAtomically(file, media.bytes);
  if (previewBytes) await writeAtomically(`${file}.preview`, previewBytes);
  await writeMeta(file, {
    mime: media.mime,
    ...(media.name ? { name: media.name } : {}),
    ...meta,
    ...(previewBytes ? { preview: true } : {}),
  });
}

async function writeAtomically(file: string, bytes: Uint8Array | string): Promise<void> {
  await writeFile(`${file}.tmp`, bytes);
  await rename(`${file}.tmp`, file);
}

const writeMeta = (file: string, meta: MediaMeta) => writeAtomically(`${file}.json`, JSON.stringify(meta));

/** What is kept beside a medium, or null (another workspace's, or none). */
export async function readMediaMeta(dataDir: string, workspaceId: string, id: string): Promise<MediaMeta | null> {
  if (!MEDIA_ID.test(id) || !/^[\w-]+$/.test(workspaceId)) return null;
  try {
    const meta = JSON.parse(await readFile(`${fileOf(dataDir, workspaceId, id)}.json`, "utf8")) as MediaMeta;
    return { ...meta, mime: meta.mime ?? "application/octet-stream" };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}

/** Merges `changes` into a medium's meta; false when the medium is gone. */
export async function updateMediaMeta(
  dataDir: string,
  workspaceId: string,
  id: string,
  changes: Partial<MediaMeta>,
): Promise<boolean> {
  const meta = await readMediaMeta(dataDir, workspaceId, id);
  if (!meta) return false;
  await writeMeta(fileOf(dataDir, workspaceId, id), { ...meta, ...changes });
  return true;
}

/**
 * The workspace's media by id, or null (another workspace's, or none). `preview`: the small JPEG kept
 * beside an image, or null when there is none.
 */
export async function readMedia(
  dataDir: string,
  workspaceId: string,
  id: string,
  variant?: "preview",
): Promise<(StoredMedia & { meta: MediaMeta }) | null> {
  const meta = await readMediaMeta(dataDir, workspaceId, id);
  if (!meta || (variant === "preview" && !meta.preview)) return null;
  const file = fileOf(dataDir, workspaceId, id);
  try {
    const bytes = await readFile(variant === "preview" ? `${file}.preview` : file);
    return variant === "preview"
      ? { bytes, mime: "image/jpeg", name: meta.name, meta }
      : { bytes, mime: meta.mime, name: meta.name, meta };
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
  await rm(`${file}.preview`, { force: true });
  await rm(`${file}.json`, { force: true });
}

/**
 * Deletes agents' uploads that no message sent, uploaded before `before`: the composer uploads as soon
 * as a file is picked, and a reply may never go out. Returns how many went.
 */
export async function sweepUnsentUploads(dataDir: string, before: Date): Promise<number> {
  const root = path.join(dataDir, "media");
  let removed = 0;
  const workspaces = await readdir(root).catch(() => [] as string[]);
  for (const workspaceId of workspaces) {
    if (!/^[\w-]+$/.test(workspaceId)) continue;
    const names = await readdir(path.join(root, workspaceId)).catch(() => [] as string[]);
    for (const name of names) {
      const id = name.endsWith(".json") ? name.slice(0, -".json".length) : null;
      if (!id || !MEDIA_ID.test(id)) continue;
      const meta = await readMediaMeta(dataDir, workspaceId, id).catch(() => null);
      if (!meta?.conversationId || meta.sentIn) continue;
      const uploadedAt = meta.uploadedAt
        ? new Date(meta.uploadedAt)
        : (await stat(path.join(root, workspaceId, name))).mtime;
      if (uploadedAt >= before) continue;
      await deleteMedia(dataDir, workspaceId, id);
      removed += 1;
    }
  }
  return removed;
}
