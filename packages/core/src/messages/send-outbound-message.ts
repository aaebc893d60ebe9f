import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { NonRetryableError } from "../jobs/errors.ts";

// PLACEHOLDER owned by a helper: replaced in this session.
export const sendOutboundMessage = defineJob({
  name: "send-outbound-message",
  schema: z.object({ messageId: z.string().min(1) }),
  handle: async (_payload, _ctx: JobContext<AppJobDeps>) => {
    throw new NonRetryableError("send-outbound-message is being built");
  },
});
