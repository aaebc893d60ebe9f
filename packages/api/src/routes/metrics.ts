import { METRICS_CONTENT_TYPE, scrapeMetrics } from "@tandem/core";
import { Hono } from "hono";
import type { AppEnv } from "../types.ts";

/**
 * GET /api/metrics — Prometheus text exposition for the operator's scraper (the operator stack:
 * bearer `METRICS_TOKEN`). Not in the OpenAPI document: it is no part of the product's API.
 */
export function metricsRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/metrics", async (c) => {
    const body = await scrapeMetrics(c.get("runtime").queue);
    return c.body(body, 200, {
      "Content-Type": METRICS_CONTENT_TYPE,
      "Cache-Control": "no-store",
    });
  });
  return app;
}
