import { chatbotErrors, type Db, rowsOf } from "@tandem/db";
import { sql } from "drizzle-orm";

/** How long a chatbot's error records are kept: the health reads a day; a month leaves room to look back. */
export const CHATBOT_ERROR_RETENTION_DAYS = 30;
/** Rows deleted per statement: a short statement never holds PGlite's thread for long. */
const PRUNE_CHUNK = 500;

/** Deletes `chatbot_error` rows older than the retention, in chunks; returns how many. */
export async function pruneChatbotErrors(
  db: Db,
  {
    retentionDays = CHATBOT_ERROR_RETENTION_DAYS,
    between,
  }: { retentionDays?: number; between?: () => Promise<void> } = {},
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const result = await db.execute(sql`
      delete from ${chatbotErrors} where ${chatbotErrors.id} in (
        select ${chatbotErrors.id} from ${chatbotErrors}
        where ${chatbotErrors.createdAt} < now() - make_interval(days => ${retentionDays})
        limit ${PRUNE_CHUNK})
      returning ${chatbotErrors.id}`);
    const n = rowsOf(result).length;
    deleted += n;
    if (n < PRUNE_CHUNK) return deleted;
    await between?.();
  }
}
