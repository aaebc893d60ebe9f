import { migrationStatus } from "@tandem/db";
import { sql } from "drizzle-orm";
import type { Runtime } from "./runtime.ts";

export interface SystemHealth {
  status: "ok" | "degraded" | "down";
  version: string;
  uptimeSeconds: number;
  mode: "embedded" | "scaled";
  database: { status: "ok" | "down"; kind: string; latencyMs: number | null; error?: string };
  migrations: { status: "ok" | "pending" | "unknown"; applied: number; expected: number };
  queue: { status: "ok" | "down"; driver: string; counts: Record<string, number>; error?: string };
  redis: { status: "ok" | "down" | "not_configured" };
  vector: { available: boolean; retrieval: "hybrid" | "full_text_only" };
}

/**
 * Detailed health for admins: every dependency checked, failures reported rather than thrown. The
 * queue's counts are those of the caller's workspace (other workspaces' traffic is not theirs to see).
 */
export async function getSystemHealth(runtime: Runtime, scope: { workspaceId: string }): Promise<SystemHealth> {
  const queue = runtime.queue;
  const started = performance.now();
  let database: SystemHealth["database"];
  try {
    await runtime.database.db.execute(sql`SELECT 1`);
    database = { status: "ok", kind: runtime.database.kind, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    database = { status: "down", kind: runtime.database.kind, latencyMs: null, error: (err as Error).message };
  }

  let migrations: SystemHealth["migrations"] = { status: "unknown", applied: 0, expected: 0 };
  if (database.status === "ok") {
    const m = await migrationStatus(runtime.database.db).catch(() => null);
    if (m) migrations = { status: m.pending === 0 ? "ok" : "pending", applied: m.applied, expected: m.expected };
  }

  let queueHealth: SystemHealth["queue"] = { status: "down", driver: "none", counts: {} };
  if (queue) {
    try {
      const { byName: _byName, ...counts } = await queue.counts({ workspaceId: scope.workspaceId });
      queueHealth = { status: "ok", driver: queue.driver, counts };
    } catch (err) {
      queueHealth = { status: "down", driver: "unknown", counts: {}, error: (err as Error).message };
    }
  }

  let redis: SystemHealth["redis"] = { status: "not_configured" };
  if (runtime.redis) {
    redis = { status: (await runtime.redis.ping().catch(() => null)) === "PONG" ? "ok" : "down" };
  }

  const down = database.status === "down";
  const degraded = migrations.status !== "ok" || queueHealth.status === "down" || redis.status === "down";
  return {
    status: down ? "down" : degraded ? "degraded" : "ok",
    version: runtime.version,
    uptimeSeconds: Math.round((Date.now() - runtime.startedAt.getTime()) / 1000),
    mode: runtime.config.embedded && !runtime.config.redisUrl ? "embedded" : "scaled",
    database,
    migrations,
    queue: queueHealth,
    redis,
    vector: { available: runtime.database.vector, retrieval: runtime.database.vector ? "hybrid" : "full_text_only" },
  };
}
