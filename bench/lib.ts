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

/** Reads a server-sent event stream; `onEvent` gets each block's event name and data as they arrive. */
export async function readEvents(res: Response, onEvent: (event: string, data: string) => void): Promise<void> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (value) buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf("\n\n");
    while (end >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      let data = "";
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trimStart();
      }
      onEvent(event, data);
      end = buffer.indexOf("\n\n");
    }
    if (done) return;
  }
}

/** A fake OpenAI-compatible server (the simulator's) and what the product sends it. */
export interface FakeOpenAi {
  /** `${simulator}/llm/openai/v1` */
  baseUrl: string;
  apiKey: string;
  model: string;
}

/**
 * The fake called directly with the streamed request the product makes (system prompt, question):
 * time to the first content chunk and to the end of the stream, in ms.
 */
export async function directStream(
  fake: FakeOpenAi,
  systemPrompt: string,
  question: string,
): Promise<{ firstMs: number; totalMs: number }> {
  const t = performance.now();
  let firstMs = -1;
  const res = await fetch(`${fake.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${fake.apiKey}` },
    body: JSON.stringify({
      model: fake.model,
      temperature: 0.3,
      max_tokens: 512,
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: "system", content: systemPrompt },
        { role: "user", content: question },
      ],
    }),
  });
  if (res.status !== 200) throw new Error(`direct: ${res.status} ${await res.text()}`);
  await readEvents(res, (_event, data) => {
    if (firstMs < 0 && data.includes('"content":')) firstMs = performance.now() - t;
  });
  return { firstMs, totalMs: performance.now() - t };
}

/** The system prompt of the product's last call to the fake LLM, as the simulator recorded it. */
export async function lastSystemPrompt(simulatorUrl: string): Promise<string> {
  const res = await fetch(`${simulatorUrl}/_control/llm/calls`);
  const { data } = (await res.json()) as { data: { body?: { messages?: { role: string; content: string }[] } }[] };
  const system = data.at(-1)?.body?.messages?.find((m) => m.role === "system")?.content;
  if (!system) throw new Error("could not read the last system prompt from the simulator");
  return system;
}

/** p50 and p99 of `values`, rounded to 0.1 ms. */
export function p50p99(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: +percentile(sorted, 50).toFixed(1), p99: +percentile(sorted, 99).toFixed(1) };
}
