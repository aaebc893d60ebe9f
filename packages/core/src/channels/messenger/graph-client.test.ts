import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createGraphClient, GraphApiError } from "./graph-client.ts";

/**
 * Which Graph API failures the send job retries: the client classifies each answer from its status and
 * Meta's error body, over real HTTP. The platform's documented temporary errors (1, 2, 4, 613, and
 * the call-volume limits 17 and 32), 5xx and network failures are retried; everything else is final.
 */
let server: Server;
let base: string;
let answer: { status: number; body: unknown } = { status: 200, body: {} };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(answer.status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer.body));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
});

async function failureOf(status: number, error: Record<string, unknown> | null): Promise<GraphApiError> {
  answer = { status, body: error ? { error: { message: "Graph says no", type: "OAuthException", ...error } } : "" };
  const graph = createGraphClient({ baseUrl: base });
  const result = await graph.sendMessage("123", "EAAtoken", { recipient: { id: "1" } }).catch((e: unknown) => e);
  expect(result).toBeInstanceOf(GraphApiError);
  return result as GraphApiError;
}

describe("Graph API error classification", () => {
  it.each([
    [500, 1],
    [503, 2],
    [400, 4],
    [400, 17],
    [400, 32],
    [400, 613],
    [500, null],
    [502, null],
  ])("HTTP %i with code %s is retried", async (status, code) => {
    const error = await failureOf(status, code === null ? null : { code });
    expect(error.retryable).toBe(true);
  });

  it.each([
    [400, 10, 2018278, "outsideWindow"],
    [400, 551, null, null],
    [400, 100, 2018001, null],
    [401, 190, 463, "tokenExpired"],
    [403, 200, null, null],
    [400, null, null, null],
  ] as const)("HTTP %i with code %s / %s fails at once", async (status, code, subcode, flag) => {
    const error = await failureOf(status, code === null ? null : { code, error_subcode: subcode });
    expect(error.retryable).toBe(false);
    expect(error.code).toBe(code);
    if (flag) expect(error[flag]).toBe(true);
  });

  it("retries a network failure", async () => {
    const graph = createGraphClient({ baseUrl: "http://127.0.0.1:1" });
    const error = await graph.sendMessage("123", "EAAtoken", {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "GraphApiError", status: 0, retryable: true });
  });
});
