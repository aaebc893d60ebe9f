/**
 * Process metrics in Prometheus' text format (version 0.0.4), written by hand: counters and
 * histograms updated where things happen, gauges read when `/api/metrics` is scraped. Series are
 * per process; a scaled deployment scrapes the web process and each worker (docs/observability.md).
 */
type Labels = Record<string, string>;

interface Series {
  render(lines: string[]): void;
}

const series: Series[] = [];

function key(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

function labelText(labels: Labels, extra?: [string, string]): string {
  const entries = Object.entries(labels);
  if (extra) entries.push(extra);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`).join(",")}}`;
}

const number = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN");

export class Counter<L extends string = string> implements Series {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {
    series.push(this);
  }
  inc(labels: Record<L, string>, by = 1): void {
    const k = key(labels);
    const current = this.#values.get(k);
    if (current) current.value += by;
    else this.#values.set(k, { labels, value: by });
  }
  /** The current value of one series (tests, health). */
  get(labels: Record<L, string>): number {
    return this.#values.get(key(labels))?.value ?? 0;
  }
  render(lines: string[]): void {
    lines.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`);
    for (const { labels, value } of this.#values.values())
      lines.push(`${this.name}${labelText(labels)} ${number(value)}`);
  }
}

export class Histogram<L extends string = string> implements Series {
  readonly #values = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    series.push(this);
  }
  observe(labels: Record<L, string>, value: number): void {
    const k = key(labels);
    let entry = this.#values.get(k);
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#values.set(k, entry);
    }
    for (const [i, bound] of this.buckets.entries()) if (value <= bound) entry.counts[i]!++;
    entry.sum += value;
    entry.count++;
  }
  render(lines: string[]): void {
    lines.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const { labels, counts, sum, count } of this.#values.values()) {
      for (const [i, bound] of this.buckets.entries())
        lines.push(`${this.name}_bucket${labelText(labels, ["le", number(bound)])} ${counts[i]}`);
      lines.push(`${this.name}_bucket${labelText(labels, ["le", "+Inf"])} ${count}`);
      lines.push(
        `${this.name}_sum${labelText(labels)} ${number(sum)}`,
        `${this.name}_count${labelText(labels)} ${count}`,
      );
    }
  }
}

/** A gauge's values, read at each scrape. */
export interface GaugeReading {
  name: string;
  help: string;
  values: { labels?: Labels; value: number }[];
}

export function renderGauges(readings: GaugeReading[], lines: string[] = []): string[] {
  for (const { name, help, values } of readings) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const { labels, value } of values) lines.push(`${name}${labelText(labels ?? {})} ${number(value)}`);
  }
  return lines;
}

const SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120] as const;

/** Every counter and histogram of the process, named once here. */
export const metrics = {
  jobsCompleted: new Counter<"job">("tandem_jobs_completed_total", "Job runs that succeeded, per job name."),
  jobsFailed: new Counter<"job" | "final">(
    "tandem_jobs_failed_total",
    'Job runs that threw, per job name; final="true" when the job failed for good (no attempt left, or not retryable).',
  ),
  jobDuration: new Histogram<"job">("tandem_job_duration_seconds", "How long a job run took, per job name.", SECONDS),
  llmDuration: new Histogram<"provider" | "outcome">(
    "tandem_llm_request_duration_seconds",
    'Bot reply generations: time from the request to the LLM provider to its answer, per provider kind and outcome ("ok" or "error").',
    SECONDS,
  ),
  llmErrors: new Counter<"provider" | "code">(
    "tandem_llm_errors_total",
    "Failed generations, per provider kind and error code.",
  ),
  webhookSignatureRejections: new Counter<"channel">(
    "tandem_webhook_signature_rejections_total",
    "Webhook requests refused for a missing or invalid signature, per channel type.",
  ),
  inboundEventsFailed: new Counter<"channel">(
    "tandem_inbound_events_failed_total",
    "Stored webhook events whose processing failed (marked failed), per channel type.",
  ),
};

/** Counters and histograms, then the gauges read now, then the process' own gauges. */
export function renderMetrics(readings: GaugeReading[]): string {
  const lines: string[] = [];
  for (const s of series) s.render(lines);
  renderGauges([...readings, ...processReadings()], lines);
  return `${lines.join("\n")}\n`;
}

function processReadings(): GaugeReading[] {
  const memory = process.memoryUsage();
  return [
    { name: "process_resident_memory_bytes", help: "Resident memory size in bytes.", values: [{ value: memory.rss }] },
    {
      name: "nodejs_heap_size_used_bytes",
      help: "V8 heap in use, in bytes.",
      values: [{ value: memory.heapUsed }],
    },
    {
      name: "nodejs_heap_size_total_bytes",
      help: "V8 heap allocated, in bytes.",
      values: [{ value: memory.heapTotal }],
    },
    {
      name: "nodejs_external_memory_bytes",
      help: "Memory of C++ objects bound to JavaScript (WebAssembly memory of the embedded database included), in bytes.",
      values: [{ value: memory.external }],
    },
    {
      name: "process_uptime_seconds",
      help: "Seconds since the process started.",
      values: [{ value: Math.round(process.uptime()) }],
    },
  ];
}
