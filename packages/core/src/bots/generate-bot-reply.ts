import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { NonRetryableError } from "../jobs/errors.ts";

// PLACEHOLDER owned by a helper: replaced in this session.
export const generateBotReply = defineJob({
  name: "generate-bot-reply",
  schema: z.object({
    conversationId: z.string().min(1),
    /** The USER message that triggered an automatic reply (its id is the job's dedup key). */
    triggerMessageId: z.string().min(1).optional(),
    /** `auto`: auto-bot answering an inbound message; `manual`: an agent's "reply as bot". */
    mode: z.enum(["auto", "manual"]),
    /** For `manual`: the member who asked. */
    requestedByMemberId: z.string().optional(),
  }),
  handle: async (_payload, _ctx: JobContext<AppJobDeps>) => {
    throw new NonRetryableError("generate-bot-reply is being built");
  },
});
