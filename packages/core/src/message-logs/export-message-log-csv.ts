import { MESSAGE_LOG_EXPORT_MAX_ROWS, type MessageLogFilters } from "@tandem/contracts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Ctx } from "../context.ts";
import type { Cursor } from "../conversations/cursor.ts";
import { assertActorCan } from "../members/guard.ts";
import { csvLine, MESSAGE_LOG_CSV_COLUMNS, messageLogCsvLine, UTF8_BOM } from "./csv.ts";
import { logConditions, queryMessageLog } from "./query-message-log.ts";

/** Rows read per query while streaming. */
export const EXPORT_PAGE_SIZE = 1000;

export interface MessageLogCsvExport {
  stream: ReadableStream<Uint8Array>;
  fileName: string;
}

/**
 * `GET /api/v1/logs/messages.csv`: the log's rows for the filters, newest first, as CSV with a
 * UTF-8 BOM. The body is produced as the client reads it, one keyset page at a time (never the whole
 * file in memory); after `maxRows` rows a last line says the export stopped there. The export is
 * recorded in the audit log (`logs.export`) before the first row is read.
 */
export async function exportMessageLogCsv(
  ctx: Ctx,
  filters: MessageLogFilters,
  options: { maxRows?: number; pageSize?: number } = {},
): Promise<MessageLogCsvExport> {
  assertActorCan(ctx, "logs.read");
  const maxRows = options.maxRows ?? MESSAGE_LOG_EXPORT_MAX_ROWS;
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  const filter = logConditions(ctx, filters);
  await recordAudit(ctx, {
    action: "logs.export",
    entityType: "message_log",
    after: { format: "csv", filters, maxRows },
  });

  const encoder = new TextEncoder();
  let cursor: Cursor | undefined;
  let written = 0;
  let started = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(UTF8_BOM + csvLine([...MESSAGE_LOG_CSV_COLUMNS])));
        return;
      }
      // One more row than the cap tells whether the export was cut.
      const want = Math.min(pageSize, maxRows + 1 - written);
      const rows = await queryMessageLog(ctx, filter, { cursor, limit: want, fullText: true });
      const keep = rows.slice(0, Math.max(0, maxRows - written));
      if (keep.length > 0) controller.enqueue(encoder.encode(keep.map(messageLogCsvLine).join("")));
      written += keep.length;
      const last = rows.at(-1);
      if (rows.length > keep.length) {
        controller.enqueue(
          encoder.encode(
            csvLine([
              `(export stopped at ${maxRows.toLocaleString("en-US")} rows, the newest; narrow the time range for the rest)`,
            ]),
          ),
        );
        controller.close();
      } else if (rows.length < want || !last) {
        controller.close();
      } else {
        cursor = { at: last.cursorAt, id: last.id };
      }
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return { stream, fileName: `tandem-messages-${stamp}.csv` };
}
