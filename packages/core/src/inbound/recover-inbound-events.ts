import type { Db } from "@tandem/db";
import { inboundEvents } from "@tandem/db";
import { and, inArray, sql } from "drizzle-orm";
import type { JobQueue } from "../jobs/queue.ts";
import type { Logger } from "../logger.ts";
import { inboundEventJobs, processInboundEvent } from "./process-inbound-event.ts";

/**
 * Start-up recovery: enqueues every inbound event not processed yet (`pending`, or `processing` when
 * the process died mid-way), whatever its source. The job id `inbound:{eventId}` makes an event whose
 * job is still queued a no-op, so calling this from every starting process is safe.
 */
export async function recoverInboundEvents(deps: { db: Db; log: Logger; queue: JobQueue }): Promise<number> {
  let recovered = 0;
  let after = "";
  for (;;) {
    const page = await deps.db
      .select({ id: inboundEvents.id, workspaceId: inboundEvents.workspaceId })
      .from(inboundEvents)
      .where(and(inArray(inboundEvents.status, ["pending", "processing"]), sql`${inboundEvents.id} > ${after}`))
      .orderBy(inboundEvents.id)
      .limit(500);
    // A pending row always has its channel's workspace (`insertRows`); one without is a bug to see.
    const orphans = page.filter((e) => e.workspaceId === null).map((e) => e.id);
    if (orphans.length)
      deps.log.error({ events: orphans }, "pending inbound events without a workspace: not recovered");
    const events = page.flatMap(({ id, workspaceId }) => (workspaceId === null ? [] : [{ id, workspaceId }]));
    await deps.queue.enqueueMany(processInboundEvent, inboundEventJobs(events));
    recovered += events.length;
    if (page.length < 500) break;
    after = page[page.length - 1]!.id;
  }
  if (recovered > 0) deps.log.info({ recovered }, "re-enqueued inbound events left unprocessed");
  return recovered;
}
