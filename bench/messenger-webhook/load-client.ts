/**
 * The load generator of ingest.ts, run as a child process: Meta's servers are remote, so building
 * requests and reading answers must not share the server's event loop (which also runs PGlite).
 * Receives `{url, concurrency, signatureHeader, requests}` over IPC, one load after another, and answers each with its
 * latencies. Uses `node:http` with
 * one keep-alive socket per connection: `fetch` costs the client several times more CPU per request,
 * and on a 2-core machine the client's CPU is the server's too.
 */
import { Agent, request } from "node:http";
import { runConcurrent } from "../lib.ts";

interface LoadRequest {
  url: string;
  concurrency: number;
  /** Where the signature goes: `x-hub-signature-256` (Messenger), `x-line-signature` (LINE). */
  signatureHeader: string;
  requests: { body: string; signature: string }[];
}

function post(
  url: URL,
  agent: Agent,
  body: string,
  signature: { header: string; value: string },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          [signature.header]: signature.value,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

// One process for the whole bench: its JIT, its keep-alive sockets and the server's side of them are
// warmed by the warm-up load and reused by the measured ones, as a steady sender's would be.
const agents = new Map<string, Agent>();

process.on("message", async (message) => {
  const { url, concurrency, signatureHeader, requests } = message as LoadRequest;
  const target = new URL(url);
  const key = `${target.origin}#${concurrency}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    agents.set(key, agent);
  }
  const failures: string[] = [];
  const { latencies, elapsedMs } = await runConcurrent(requests.length, concurrency, async (i) => {
    const { body, signature } = requests[i]!;
    try {
      const res = await post(target, agent, body, { header: signatureHeader, value: signature });
      if (res.status !== 200) failures.push(`${res.status} ${res.text.slice(0, 200)}`);
    } catch (error) {
      failures.push(`${(error as Error).message}: ${String((error as Error).cause)}`);
    }
  });
  process.send?.({ latencies, elapsedMs, failures: failures.length, firstFailures: failures.slice(0, 5) });
});
