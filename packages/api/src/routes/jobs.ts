import { createRoute, z } from "@hono/zod-openapi";
import { DomainError } from "@tandem/core";
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
  attempts: z.number(),
  maxAttempts: z.number(),
  error: z.string().nullable(),
  failedAt: z.string().nullable(),
  createdAt: z.string(),
});

function queueOf(c: Context<AppEnv>) {
  const queue = c.get("runtime").queue;
  if (!queue) throw new DomainError("queue_unavailable", "The job queue is not running in this process");
  return queue;
}

/** Admin view of background jobs: counts and failed ("dead") jobs, which can be retried. */
export function jobRoutes() {
  const app = createRouter();

  // GET /api/v1/jobs — queue driver, counts per state and per job name, recent failed jobs
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
            counts: Counts,
            byName: z.record(z.string(), Counts),
            failed: z.array(FailedJob),
          }),
        ),
        ...errors(401, 403),
      },
    }),
    async (c) => {
      const queue = queueOf(c);
      const { byName, ...counts } = await queue.counts();
      const failed = await queue.listFailed({ limit: c.req.valid("query").limit });
      return c.json(
        {
          driver: queue.driver,
          counts,
          byName,
          failed: failed.map((j) => ({
            id: j.id,
            name: j.name,
            jobKey: j.jobKey,
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

  // POST /api/v1/jobs/{id}/retry — run a failed job again with a fresh set of attempts
  app.openapi(
    createRoute({
      method: "post",
      path: "/jobs/{id}/retry",
      tags: ["system"],
      ...permit("jobs.manage"),
      request: { params: z.object({ id: z.string().min(1).max(200) }) },
      responses: {
        202: json(z.object({ id: z.string(), status: z.literal("waiting") }), "Queued again"),
        ...errors(401, 403, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      if (!(await queueOf(c).retry(id))) throw new DomainError("job_not_found", "No failed job with this id");
      return c.json({ id, status: "waiting" as const }, 202);
    },
  );
  return app;
}
