/**
 * The load generator of ingest.ts, run as a child process: Meta's servers are remote, so building
 * requests and reading answers must not share the server's event loop (which also runs PGlite).
 * Receives `{url, concurrency, requests}` over IPC, answers with the latencies.
 */
import { runConcurrent } from "../lib.ts";

interface LoadRequest {
  url: string;
  concurrency: number;
  requests: { body: string; signature: string }[];
}

process.once("message", async (message) => {
  const { url, concurrency, requests } = message as LoadRequest;
  const failures: string[] = [];
  const { latencies, elapsedMs } = await runConcurrent(requests.length, concurrency, async (i) => {
    const { body, signature } = requests[i]!;
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", "x-hub-signature-256": signature },
        body,
      });
      const text = await res.text();
      if (res.status !== 200) failures.push(`${res.status} ${text.slice(0, 200)}`);
    } catch (error) {
      failures.push(`${(error as Error).message}: ${String((error as Error).cause)}`);
    }
  });
  process.send?.({ latencies, elapsedMs, failures: failures.length, firstFailures: failures.slice(0, 5) });
});
