import { createRoute, z } from "@hono/zod-openapi";
import { listJobs, retryJob } from "@tandem/core";
import type { Context } from "hono";
import { createRouter, errors, json, permit } from "../openapi.ts";
import type { AppEnv } from "../types.ts";

const Counts = z.object({
  waiting: z.number(),
  delayed: z.number(),
  active: z.number(),
  completed: z.number(),
  failed: z.number(),
});
const FailedJob = z.object({
  id: z.string(),
  name: z.string(),
  jobKey: z.string().nullable(),
  /** Null for a system job (listed to operators only). */
  workspaceId: z.string().nullable(),
  attempts: z.number(),
  maxAttempts: z.number(),
  error: z.string().nullable(),
  failedAt: z.string().nullable(),
  createdAt: z.string(),
});

const access = (c: Context<AppEnv>) => ({ operatorEmails: c.get("runtime").config.jobOperatorEmails });

/**
 * Admin view of the workspace's background jobs: counts and failed ("dead") jobs, which can be
 * retried. Operators (`JOBS_OPERATOR_EMAILS`) also see the system's housekeeping jobs.
 */
export function jobRoutes() {
  const app = createRouter();

  // GET /api/v1/jobs — the workspace's jobs: counts per state and per job name, recent failed jobs
  app.openapi(
    createRoute({
      method: "get",
      path: "/jobs",
      tags: ["system"],
      ...permit("jobs.manage"),
      request: { query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }) },
      responses: {
        200: json(
          z.object({
            driver: z.string(),
            system: z.boolean().describe("Whether system jobs are included (operators only)"),
            counts: Counts,
            byName: z.record(z.string(), Counts),
            failed: z.array(FailedJob),
          }),
        ),
        ...errors(401, 403, 503),
      },
    }),
    async (c) => {
      const { failed, ...overview } = await listJobs(c.get("ctx"), c.req.valid("query"), access(c));
      return c.json(
        {
          ...overview,
          failed: failed.map((j) => ({
            id: j.id,
            name: j.name,
            jobKey: j.jobKey,
            workspaceId: j.workspaceId,
            attempts: j.attempts,
            maxAttempts: j.maxAttempts,
            error: j.error,
            failedAt: j.failedAt?.toISOString() ?? null,
            createdAt: j.createdAt.toISOString(),
          })),
        },
        200,
      );
    },
  );

  // POST /api/v1/jobs/{id}/retry — run a failed job of the workspace again with a fresh set of attempts
  app.openapi(
    createRoute({
      method: "post",
      path: "/jobs/{id}/retry",
      tags: ["system"],
      ...permit("jobs.manage"),
      request: { params: z.object({ id: z.string().min(1).max(200) }) },
      responses: {
        202: json(z.object({ id: z.string(), status: z.literal("waiting") }), "Queued again"),
        ...errors(401, 403, 404, 503),
      },
    }),
    async (c) => {
      const { id } = await retryJob(c.get("ctx"), c.req.valid("param").id, access(c));
      return c.json({ id, status: "waiting" as const }, 202);
    },
  );
  return app;
}
