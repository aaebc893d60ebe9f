/**
 * The simulator in a child process, for benchmarks: in production Facebook and the LLM providers are
 * remote, so handling their side of a call must not use the server's event loop (which also runs
 * PGlite) — in-process, the fake Graph API's work would count as the pipeline's. The child serves
 * the whole simulator (fake Graph API under /graph, fake LLMs under /llm/…) and tells the parent over
 * IPC when a Send API message for a recipient arrives, with its wall-clock time
 * (`performance.timeOrigin + performance.now()`, comparable across processes on one machine).
 *
 * Parent side: `startSimulatorProcess()`. Child side: this file run with `fork`.
 */
import { fork } from "node:child_process";
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { LineChannelInput } from "@tandem/simulator";

type LineChannel = LineChannelInput;
type ToChild =
  | { type: "addPage"; page: { id: string; name: string; accessToken: string }; seq: number }
  | { type: "addLineChannel"; channel: LineChannel; seq: number }
  | { type: "addLineUsers"; users: { userId: string; displayName: string }[]; seq: number };
type FromChild =
  | { type: "ready"; url: string }
  | { type: "sent"; recipientId: string; at: number }
  | { type: "ack"; seq: number };

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between processes. */
export const wallNow = () => performance.timeOrigin + performance.now();

export interface SimulatorProcess {
  /**
   * Base URL: `${url}/graph` is GRAPH_API_URL, `${url}/line/api` and `${url}/line/data` LINE_API_URL and
   * LINE_DATA_API_URL, `${url}/llm/openai/v1` the fake OpenAI API.
   */
  url: string;
  addPage(page: { id: string; name: string; accessToken: string }): Promise<void>;
  /** A LINE account the fake LINE API knows (its token is accepted). */
  addLineChannel(channel: LineChannel): Promise<void>;
  /** LINE users the fake LINE API has profiles for (as the fake Graph API has for any PSID). */
  addLineUsers(users: { userId: string; displayName: string }[]): Promise<void>;
  /** Resolves with the wall-clock time the next Send API message to `recipientId` arrives. */
  nextSend(recipientId: string): Promise<number>;
  stop(): void;
}

export async function startSimulatorProcess(): Promise<SimulatorProcess> {
  const child = fork(fileURLToPath(import.meta.url), ["--child"], { execArgv: ["--import", "tsx"] });
  const waiters = new Map<string, (at: number) => void>();
  const acks = new Map<number, () => void>();
  let seq = 0;
  let url = "";
  const ready = new Promise<void>((resolve) => {
    child.on("message", (raw) => {
      const message = raw as FromChild;
      if (message.type === "ready") {
        url = message.url;
        resolve();
      } else if (message.type === "sent") {
        const resolveSend = waiters.get(message.recipientId);
        waiters.delete(message.recipientId);
        resolveSend?.(message.at);
      } else if (message.type === "ack") {
        acks.get(message.seq)?.();
        acks.delete(message.seq);
      }
    });
  });
  await ready;
  return {
    url,
    addPage: (page) =>
      new Promise<void>((resolve) => {
        const n = ++seq;
        acks.set(n, resolve);
        child.send({ type: "addPage", page, seq: n } satisfies ToChild);
      }),
    addLineChannel: (channel) =>
      new Promise<void>((resolve) => {
        const n = ++seq;
        acks.set(n, resolve);
        child.send({ type: "addLineChannel", channel, seq: n } satisfies ToChild);
      }),
    addLineUsers: (users) =>
      new Promise<void>((resolve) => {
        const n = ++seq;
        acks.set(n, resolve);
        child.send({ type: "addLineUsers", users, seq: n } satisfies ToChild);
      }),
    nextSend: (recipientId) => new Promise<number>((resolve) => waiters.set(recipientId, resolve)),
    stop: () => child.kill(),
  };
}

if (process.argv.includes("--child")) {
  const { createServer } = await import("node:http");
  const { getRequestListener } = await import("@hono/node-server");
  const { createSimulator } = await import("@tandem/simulator");
  const simulator = createSimulator();
  const listener = getRequestListener(async (req) => {
    const arrivedAt = wallNow();
    const res = await simulator.app.fetch(req);
    if (req.method === "POST" && new URL(req.url).pathname.endsWith("/messages")) {
      const record = simulator.graph.state.outbox.at(-1);
      if (record?.kind === "message") process.send?.({ type: "sent", recipientId: record.recipientId, at: arrivedAt });
    }
    return res;
  });
  const server = createServer((req, res) => listener(req, res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  process.on("message", (raw) => {
    const message = raw as ToChild;
    if (message.type === "addPage") simulator.graph.state.addPage(message.page);
    else if (message.type === "addLineChannel") simulator.line.state.addChannel(message.channel);
    else for (const user of message.users) simulator.line.state.addUser(user);
    process.send?.({ type: "ack", seq: message.seq } satisfies FromChild);
  });
  process.send?.({
    type: "ready",
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  } satisfies FromChild);
  process.on("disconnect", () => process.exit(0));
}
