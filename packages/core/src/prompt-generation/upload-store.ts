/**
 * Files uploaded for a prompt generation, kept under `DATA_DIR/prompt-uploads/{workspaceId}/{jobId}/`
 * while the job runs and deleted when it ends (completed or failed), like the media of
 * `media/media-store.ts`. The job row keeps each file's path relative to `DATA_DIR`, so a worker
 * process with the same shared `DATA_DIR` finds them.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { newId } from "@tandem/db";

const SAFE = /^[\w-]+$/;

/** The directory of one job's uploads, relative to `DATA_DIR`. */
export function promptUploadDir(workspaceId: string, jobId: string): string {
  if (!SAFE.test(workspaceId) || !SAFE.test(jobId)) throw new Error("invalid workspace or job id");
  return path.join("prompt-uploads", workspaceId, jobId);
}

/** The absolute path of a stored upload; refuses a path that leaves the uploads directory. */
export function resolveUpload(dataDir: string, relative: string): string {
  const root = path.resolve(dataDir, "prompt-uploads");
  const file = path.resolve(dataDir, relative);
  if (!file.startsWith(`${root}${path.sep}`)) throw new Error("upload path outside DATA_DIR/prompt-uploads");
  return file;
}

/** Deletes a job's uploads; nothing when they are already gone. */
export async function removePromptUploads(dataDir: string, workspaceId: string, jobId: string): Promise<void> {
  await rm(path.join(dataDir, promptUploadDir(workspaceId, jobId)), { recursive: true, force: true });
}

/** The id of a new generation job, chosen before its uploads are stored under it. */
export const newPromptGenerationId = () => newId("promptGeneration");
