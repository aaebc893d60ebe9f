import { auditLogs, type Db, rowsOf } from "@tandem/db";
import { sql } from "drizzle-orm";

/** Rows deleted per statement: a short statement never holds PGlite's thread for long. */
const PRUNE_CHUNK = 500;

/**
 * Deletes audit rows older than `retentionDays` (`AUDIT_LOG_RETENTION_DAYS`; 0 keeps them forever),
 * in chunks, for the hourly `database-maintenance` job. Returns how many went.
 */
export async function pruneAuditLog(
  db: Db,
  { retentionDays, between }: { retentionDays: number; between?: () => Promise<void> },
): Promise<number> {
  if (retentionDays <= 0) return 0;
  let deleted = 0;
  for (;;) {
    const result = await db.execute(sql`
      delete from ${auditLogs} where ${auditLogs.id} in (
        select ${auditLogs.id} from ${auditLogs}
        where ${auditLogs.createdAt} < now() - make_interval(days => ${retentionDays})
        limit ${PRUNE_CHUNK})
      returning ${auditLogs.id}`);
    const n = rowsOf(result).length;
    deleted += n;
    if (n < PRUNE_CHUNK) return deleted;
    await between?.();
  }
}
