import { createRoute, z } from "@hono/zod-openapi";
import { PublicHealth } from "@tandem/contracts";
import { getSystemHealth } from "@tandem/core";
import { createRouter, errors, json, permit } from "../openapi.ts";

/** GET /api/health — public liveness: status, version, whether the demo, the simulator and mail are on, and APP_URL. */
export function publicHealthRoutes() {
  const app = createRouter();
  app.openapi(
    createRoute({ method: "get", path: "/health", tags: ["system"], responses: { 200: json(PublicHealth) } }),
    (c) => {
      const runtime = c.get("runtime");
      const { demoSeed: demo, simulator, mail } = runtime.config;
      return c.json(
        {
          status: "ok" as const,
          version: runtime.version,
          demo,
          simulator,
          mail: mail !== null,
          appUrl: runtime.config.appUrl,
          publicMedia: new URL(runtime.config.appUrl).protocol === "https:",
        },
        200,
      );
    },
  );
  return app;
}

const DetailedHealth = z.object({
  status: z.enum(["ok", "degraded", "down"]),
  version: z.string(),
  uptimeSeconds: z.number(),
  mode: z.enum(["embedded", "scaled"]),
  database: z.object({
    status: z.enum(["ok", "down"]),
    kind: z.string(),
    latencyMs: z.number().nullable(),
    error: z.string().optional(),
  }),
  migrations: z.object({ status: z.enum(["ok", "pending", "unknown"]), applied: z.number(), expected: z.number() }),
  queue: z.object({
    status: z.enum(["ok", "down"]),
    driver: z.string(),
    counts: z.record(z.string(), z.number()),
    error: z.string().optional(),
  }),
  redis: z.object({ status: z.enum(["ok", "down", "not_configured"]) }),
  vector: z.object({ available: z.boolean(), retrieval: z.enum(["hybrid", "full_text_only"]) }),
});

/** GET /api/v1/health — admins: database, migrations, queue, Redis and pgvector availability. */
export function adminHealthRoutes() {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["system"],
      ...permit("system.read"),
      responses: { 200: json(DetailedHealth), 503: json(DetailedHealth, "A dependency is down"), ...errors(401, 403) },
    }),
    async (c) => {
      const health = await getSystemHealth(c.get("runtime"), { workspaceId: c.get("ctx").workspaceId });
      return health.status === "down" ? c.json(health, 503) : c.json(health, 200);
    },
  );
  return app;
}
