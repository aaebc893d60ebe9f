import { z } from "zod";
import type { AppJobDeps } from "../../app-deps.ts";
import { defineJob, type JobContext } from "../../jobs/define-job.ts";
import { NonRetryableError } from "../../jobs/errors.ts";

// PLACEHOLDER owned by a helper: replaced in this session.
export const processInboundEvent = defineJob({
  name: "process-inbound-event",
  schema: z.object({ eventId: z.string().min(1) }),
  handle: async (_payload, _ctx: JobContext<AppJobDeps>) => {
    throw new NonRetryableError("process-inbound-event is being built");
  },
});
