/**
 * The load generator of latency.ts, run as a child process: the public API's callers and the
 * widget's visitors are elsewhere, so building requests, reading answers and holding sockets must not
 * share the server's event loop (which also runs PGlite) — nor its memory, which latency.ts measures.
 * Over IPC, one command at a time:
 *   - `post`: the bodies POSTed to `url` with `headers`, `concurrency` in flight (`node:http`, one
 *     keep-alive socket per connection: `fetch` costs the client several times more CPU per request);
 *     answers the latencies and the failures (any status but 200);
 *   - `open`: one Socket.IO connection per token to the widget namespace, as the widget opens it
 *     (`WIDGET_SOCKET`: websocket only, the token in `auth`, the page's `Origin` and a browser's
 *     User-Agent), `opening` handshakes at a time; answers once every socket is connected or refused;
 *   - `close`: closes them all.
 */
import { Agent, request } from "node:http";
import { WIDGET_SOCKET } from "@tandem/contracts";
import { io, type Socket } from "socket.io-client";
import { runConcurrent } from "../lib.ts";

export type LoadCommand =
  | { type: "post"; url: string; headers: Record<string, string>; bodies: string[]; concurrency: number }
  | { type: "open"; url: string; origin: string; tokens: string[]; opening: number }
  | { type: "close" };

export interface PostResult {
  latencies: number[];
  elapsedMs: number;
  failures: number;
  firstFailures: string[];
}

export interface OpenResult {
  connected: number;
  refused: number;
  firstRefusals: string[];
  elapsedMs: number;
}

const USER_AGENT =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

function post(url: URL, agent: Agent, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
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

async function runPosts(command: Extract<LoadCommand, { type: "post" }>): Promise<PostResult> {
  const target = new URL(command.url);
  const agent = new Agent({ keepAlive: true, maxSockets: command.concurrency });
  const failures: string[] = [];
  const { latencies, elapsedMs } = await runConcurrent(command.bodies.length, command.concurrency, async (i) => {
    try {
      const res = await post(target, agent, command.headers, command.bodies[i]!);
      if (res.status !== 200) failures.push(`${res.status} ${res.text.slice(0, 200)}`);
    } catch (error) {
      failures.push(`${(error as Error).message}: ${String((error as Error).cause)}`);
    }
  });
  agent.destroy();
  return { latencies, elapsedMs, failures: failures.length, firstFailures: failures.slice(0, 5) };
}

const sockets: Socket[] = [];

function openOne(url: string, origin: string, token: string): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = io(`${url}${WIDGET_SOCKET.namespace}`, {
      path: WIDGET_SOCKET.path,
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      auth: { token },
      extraHeaders: { origin, "user-agent": USER_AGENT },
    });
    sockets.push(socket);
    socket.once("connect", () => resolve(null));
    socket.once("connect_error", (err) => resolve(err.message));
  });
}

async function openSockets(command: Extract<LoadCommand, { type: "open" }>): Promise<OpenResult> {
  const refusals: string[] = [];
  const { elapsedMs } = await runConcurrent(command.tokens.length, command.opening, async (i) => {
    const refusal = await openOne(command.url, command.origin, command.tokens[i]!);
    if (refusal) refusals.push(refusal);
  });
  return {
    connected: sockets.filter((s) => s.connected).length,
    refused: refusals.length,
    firstRefusals: refusals.slice(0, 5),
    elapsedMs,
  };
}

process.on("message", async (raw) => {
  const command = raw as LoadCommand;
  if (command.type === "post") process.send?.(await runPosts(command));
  else if (command.type === "open") process.send?.(await openSockets(command));
  else {
    for (const socket of sockets.splice(0)) socket.disconnect();
    process.send?.({ closed: true });
  }
});
process.on("disconnect", () => process.exit(0));
