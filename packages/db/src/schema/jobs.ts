import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, idColumn, tstz, updatedAt } from "./columns.ts";

/**
 * The embedded job queue (used when REDIS_URL is unset), run in-process by
 * packages/core/src/jobs/db-queue.ts.
 *
 * - A job waiting for a later time is `waiting` with `run_at` in the future ("delayed").
 * - `job_key` is the caller's job id for deduplication. Like a BullMQ job id it is unique per job
 *   name for as long as the row exists, whatever its status: enqueueing a key that is waiting,
 *   active, completed or failed is a no-op. Finished rows are pruned after a retention period,
 *   which frees the key again. Jobs without a key are never deduplicated (NULLs are distinct).
 * - A running job holds a lease (`lease_expires_at`) that its worker renews; a job still `active`
 *   after its lease expired belongs to a dead process and is put back to `waiting`.
 */
export const jobStatus = pgEnum("job_status", ["waiting", "active", "completed", "failed"]);

export const jobs = pgTable(
  "job",
  {
    id: idColumn("job"),
    name: text("name").notNull(),
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
    uniqueIndex("job_name_key_key").on(t.name, t.jobKey),
    index("job_status_run_at_idx").on(t.status, t.runAt),
    // The claim path: due jobs of one name, oldest first.
    index("job_waiting_idx").on(t.name, t.runAt, t.id).where(sql`${t.status} = 'waiting'`),
    index("job_lease_idx").on(t.leaseExpiresAt).where(sql`${t.status} = 'active'`),
  ],
);

export type JobRow = typeof jobs.$inferSelect;
export type JobStatus = (typeof jobStatus.enumValues)[number];
