/** Small helpers for benchmarks: they print numbers and never assert. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(name: string, latenciesMs: number[], elapsedMs: number) {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const row = {
    name,
    requests: sorted.length,
    throughputPerSec: Math.round((sorted.length / elapsedMs) * 1000),
    p50Ms: +percentile(sorted, 50).toFixed(2),
    p95Ms: +percentile(sorted, 95).toFixed(2),
    p99Ms: +percentile(sorted, 99).toFixed(2),
    rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
  };
  console.log(JSON.stringify(row));
  return row;
}

/** Runs `task` `total` times with `concurrency` in flight; returns per-call latencies. */
export async function runConcurrent(total: number, concurrency: number, task: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        await task(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, elapsedMs: performance.now() - started };
}
