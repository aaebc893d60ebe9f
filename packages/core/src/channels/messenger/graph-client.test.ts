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
    [403, 10, null, null],
    [400, 551, null, null],
    [400, 551, 1545041, null],
    [400, 100, 2018001, null],
    [401, 190, 463, "tokenExpired"],
    [403, 200, null, null],
    [400, null, null, null],
  ] as const)("HTTP %i with code %s / %s fails at once", async (status, code, subcode, flag) => {
    const error = await failureOf(status, code === null ? null : { code, error_subcode: subcode });
    expect(error.retryable).toBe(false);
    expect(error.code).toBe(code);
    // The platform's own message is what the inbox shows.
    if (code !== null) expect(error.message).toBe("Graph says no");
    // Only the flagged condition holds: a bare code 10 is a permission refusal, 551 an unavailable person.
    expect(error.outsideWindow).toBe(flag === "outsideWindow");
    expect(error.tokenExpired).toBe(flag === "tokenExpired");
  });

  it("retries a network failure", async () => {
    const graph = createGraphClient({ baseUrl: "http://127.0.0.1:1" });
    const error = await graph.sendMessage("123", "EAAtoken", {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "GraphApiError", status: 0, retryable: true });
  });
});

describe("Facebook Login dialog URL", () => {
  const params = {
    redirectUri: "https://tandem.example/cb",
    state: "n.mac",
    scope: ["pages_show_list", "pages_messaging"],
  };

  it("asks for the scopes when no Login for Business configuration is set", () => {
    const url = new URL(createGraphClient({ baseUrl: "https://graph.facebook.com", appId: "42" }).dialogUrl(params));
    expect(`${url.origin}${url.pathname}`).toBe("https://www.facebook.com/v25.0/dialog/oauth");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "42",
      redirect_uri: "https://tandem.example/cb",
      state: "n.mac",
      scope: "pages_show_list,pages_messaging",
      response_type: "code",
    });
  });

  it("names the configuration instead of scopes when FB_LOGIN_CONFIG_ID is set", () => {
    const graph = createGraphClient({ baseUrl: "https://graph.facebook.com", appId: "42", loginConfigId: "987654321" });
    const url = new URL(graph.dialogUrl(params));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "42",
      redirect_uri: "https://tandem.example/cb",
      state: "n.mac",
      config_id: "987654321",
      response_type: "code",
      override_default_response_type: "true",
    });
  });
});
