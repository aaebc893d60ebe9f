/**
 * The request handling the three fake LLM APIs share: recording the call (without the key),
 * checking the key, meeting an injected fault, and answering with server-sent events.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { Context, Hono } from "hono";
import { ERRORS, LlmSimError } from "./errors.ts";
import type { LlmCall, LlmFault, LlmSimProvider, LlmSimState } from "./state.ts";

export interface LlmSimulatorOptions {
  now?: () => number;
  /** The oldest calls are dropped beyond this many (default 5000). */
  maxCalls?: number;
  /** Pause between stream events (default 0; the demo may slow streams down to look like typing). */
  streamDelayMs?: number;
}

/** What a fake's route handler gets: the parsed body, the key and the fault this call meets. */
export interface LlmRequestContext {
  c: Context;
  provider: LlmSimProvider;
  body: unknown;
  key: string | undefined;
  /** `content_filter` and `stream_error` are left for the handler to play; the others are answered before it. */
  fault: LlmFault | undefined;
}

const HIDDEN_HEADERS = new Set(["authorization", "x-goog-api-key", "cookie"]);

/**
 * Registers `POST path` on a fake: records the call, rejects missing or invalid keys with the
 * provider's error, applies the fault, then runs the handler. Errors thrown as `LlmSimError`
 * become the provider's error answer.
 */
export function llmRoute(
  app: Hono,
  state: LlmSimState,
  options: LlmSimulatorOptions & { provider: LlmSimProvider; keyOptional?: boolean },
  path: string,
  handler: (request: LlmRequestContext) => Response | Promise<Response>,
): void {
  const { provider } = options;
  const errors = ERRORS[provider];
  app.post(path, async (c) => {
    const raw = await c.req.text();
    const body = parseBody(raw);
    const { key, via } = readKey(c);
    const call = state.record(describeCall(c, path, provider, body, key, via, options.now ?? Date.now));
    try {
      if (!key && !options.keyOptional) throw errors.missingKey();
      if (key && state.invalidKeys.has(key)) throw errors.invalidKey(key.slice(-4));
      const fault = state.takeFault(provider, key);
      if (fault) call.fault = fault.kind;
      await meetFault(provider, fault);
      const response = await handler({ c, provider, body, key, fault });
      call.status = response.status;
      return response;
    } catch (error) {
      if (!(error instanceof LlmSimError)) throw error;
      call.status = error.status;
      return error.toResponse();
    }
  });
}

/** Answers the faults that replace the whole response; waits out a `slow` one. */
async function meetFault(provider: LlmSimProvider, fault: LlmFault | undefined): Promise<void> {
  if (!fault) return;
  const errors = ERRORS[provider];
  switch (fault.kind) {
    case "invalid_key":
      throw errors.invalidKey("sim0");
    case "rate_limit":
      throw errors.rateLimit(fault.retryAfterMs ?? 1000);
    case "quota_exhausted":
      throw errors.quotaExhausted();
    case "server_error":
      throw errors.serverError();
    case "unavailable":
      throw errors.unavailable();
    case "prompt_blocked":
      if (errors.promptBlocked) throw errors.promptBlocked();
      return;
    case "slow":
      await sleep(fault.delayMs ?? 5_000);
      return;
    case "content_filter":
    case "stream_error":
      return;
  }
}

function readKey(c: Context): { key: string | undefined; via: LlmCall["auth"]["via"] } {
  const bearer = /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim();
  if (bearer) return { key: bearer, via: "bearer" };
  const header = c.req.header("x-goog-api-key");
  if (header) return { key: header, via: "header" };
  const query = c.req.query("key");
  if (query) return { key: query, via: "query" };
  return { key: undefined, via: "none" };
}

function describeCall(
  c: Context,
  routePath: string,
  provider: LlmSimProvider,
  body: unknown,
  key: string | undefined,
  via: LlmCall["auth"]["via"],
  now: () => number,
): Omit<LlmCall, "seq"> {
  const headers: Record<string, string> = {};
  c.req.raw.headers.forEach((value, name) => {
    if (!HIDDEN_HEADERS.has(name)) headers[name] = value;
  });
  const { key: _key, ...query } = c.req.query();
  return {
    provider,
    method: c.req.method,
    path: c.req.path.slice(mountBase(c, routePath).length) || "/",
    query,
    headers,
    body,
    auth: { via, ...(key ? { keySuffix: key.slice(-4) } : {}) },
    time: now(),
  };
}

/** Where the fake is mounted in the parent app: the matched pattern minus the route's own path. */
function mountBase(c: Context, routePath: string): string {
  const pattern = c.req.routePath;
  return pattern.endsWith(routePath) ? pattern.slice(0, -routePath.length) : "";
}

function parseBody(raw: string): unknown {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** An SSE response writing each frame as given (`data: …\n\n`, `: comment\n\n`), paced by `delayMs`. */
export function sseResponse(frames: string[], delayMs = 0): Response {
  const encoder = new TextEncoder();
  let index = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const frame = frames[index];
      if (frame === undefined) {
        controller.close();
        return;
      }
      if (delayMs > 0 && index > 0) await sleep(delayMs);
      index += 1;
      controller.enqueue(encoder.encode(frame));
    },
  });
  return new Response(stream, {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" },
  });
}

export const sseData = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
