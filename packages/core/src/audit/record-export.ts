import type { Ctx } from "../context.ts";
import { recordAudit } from "./record-audit.ts";

/**
 * Every export of workspace data (a CSV download, a backup) writes `<entity>.export` to the audit
 * log: who took which data, how many rows, from where. Call it once the export has been built.
 */
export async function recordExport(
  ctx: Ctx,
  input: { entityType: string; entityId?: string | null; format: string; rows: number; filters?: unknown },
): Promise<void> {
  await recordAudit(ctx, {
    action: `${input.entityType}.export`,
    entityType: input.entityType,
    entityId: input.entityId ?? null,
    after: {
      format: input.format,
      rows: input.rows,
      ...(input.filters === undefined ? {} : { filters: input.filters }),
    },
  });
}
