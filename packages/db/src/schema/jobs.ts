import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns.ts";

/**
 * The embedded job queue (used when REDIS_URL is unset), run in-process by
 * packages/core/src/jobs/db-queue.ts.
 *
 * - A job waiting for a later time is `waiting` with `run_at` in the future ("delayed").
 * - `job_key` is the caller's job id for deduplication. Like a BullMQ job id it is unique per job
 *   name and workspace for as long as the row exists, whatever its status: enqueueing a key that is waiting,
 *   active, completed or failed is a no-op. Finished rows are pruned after a retention period,
 *   which frees the key again. Jobs without a key are never deduplicated (NULLs are distinct).
 * - A running job holds a lease (`lease_expires_at`) that its worker renews; a job still `active`
 *   after its lease expired belongs to a dead process and is put back to `waiting`.
 * - `workspace_id` is the workspace the job works for; null for system jobs (housekeeping). Admins
 *   see their workspace's jobs only, and claims share the slots between workspaces. No foreign key:
 *   rows are short-lived and pruned, and the enqueue path stays one index write lighter.
 */
export const jobStatus = pgEnum("job_status", ["waiting", "active", "completed", "failed"]);

export const jobs = pgTable(
  "job",
  {
    id: idColumn("job"),
    name: text("name").notNull(),
    workspaceId: text("workspace_id"),
    jobKey: text("job_key"),
    payload: jsonb("payload").notNull(),
    status: jobStatus("status").notNull().default("waiting"),
    /** Attempts charged so far, including the running one. */
    attempts: integer("attempts").notNull().default(0),
    maxAttempts: integer("max_attempts").notNull().default(1),
    /** Times the job was recovered from a dead worker; past a limit it fails instead. */
    stalls: integer("stalls").notNull().default(0),
    runAt: tstz("run_at").notNull().defaultNow(),
    lockedAt: tstz("locked_at"),
    /** Lock token of the claiming worker; finishing a job requires it, so a stale worker cannot. */
    lockedBy: text("locked_by"),
    leaseExpiresAt: tstz("lease_expires_at"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    finishedAt: tstz("finished_at"),
  },
  (t) => [
    // Keys are per workspace (system jobs under ''): one workspace's key never stands for another's job.
    uniqueIndex("job_name_key_key").on(t.name, sql`coalesce(${t.workspaceId}, '')`, t.jobKey),
    index("job_status_run_at_idx").on(t.status, t.runAt),
    // The claim path: due jobs of one name, per workspace (system jobs under ''), oldest first. The
    // claim walks the workspaces that have due jobs through it (a skip scan) and takes each one's oldest.
    index("job_waiting_idx")
      .on(t.name, sql`coalesce(${t.workspaceId}, '')`, t.runAt, t.id)
      .where(sql`${t.status} = 'waiting'`),
    index("job_lease_idx").on(t.leaseExpiresAt).where(sql`${t.status} = 'active'`),
  ],
);

export type JobRow = typeof jobs.$inferSelect;
export type JobStatus = (typeof jobStatus.enumValues)[number];
