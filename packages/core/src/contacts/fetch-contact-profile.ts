import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { NonRetryableError } from "../jobs/errors.ts";

// PLACEHOLDER owned by a helper: replaced in this session.
export const fetchContactProfile = defineJob({
  name: "fetch-contact-profile",
  schema: z.object({ contactId: z.string().min(1) }),
  handle: async (_payload, _ctx: JobContext<AppJobDeps>) => {
    throw new NonRetryableError("fetch-contact-profile is being built");
  },
});
