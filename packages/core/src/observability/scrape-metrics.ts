import type { JobQueue } from "../jobs/queue.ts";
import { type GaugeReading, renderMetrics } from "./metrics.ts";

/** Gauges a process adds at start-up (its open sockets); read at each scrape. */
export type GaugeSource = () => GaugeReading[];

const sources = new Set<GaugeSource>();

/** Adds gauges to `/api/metrics`; the function returned removes them. */
export function addGaugeSource(source: GaugeSource): () => void {
  sources.add(source);
  return () => sources.delete(source);
}

/** The whole exposition: counters and histograms, queue gauges (all workspaces), added gauges, memory. */
export async function scrapeMetrics(queue: JobQueue | null | undefined): Promise<string> {
  const readings: GaugeReading[] = [];
  if (queue) {
    const stats = await queue.stats();
    const now = Date.now();
    readings.push(
      {
        name: "tandem_queue_jobs",
        help: "Jobs in the queue per job name and state (waiting: due and not started).",
        values: stats.flatMap((s) =>
          (["waiting", "delayed", "active", "failed"] as const).map((state) => ({
            labels: { job: s.name, state },
            value: s[state],
          })),
        ),
      },
      {
        name: "tandem_queue_lag_seconds",
        help: "How long the oldest due job of each name has been waiting (0: none waiting).",
        values: stats.map((s) => ({
          labels: { job: s.name },
          value: s.oldestDueAt ? Math.max(0, (now - s.oldestDueAt.getTime()) / 1000) : 0,
        })),
      },
    );
  }
  for (const source of sources) readings.push(...source());
  return renderMetrics(readings);
}
