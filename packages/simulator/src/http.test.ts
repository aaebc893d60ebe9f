/** The simulator over real sockets: the Graph API served by @hono/node-server, and a signed webhook
 * received by a plain node:http server that sees the raw bytes. */
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messengerWebhook, postSignedWebhook, textEvent } from "./customer/messenger.ts";
import type { GraphCall } from "./graph/app.ts";
import { createSimulator, DEMO_PAGE, DEMO_USERS } from "./simulator.ts";

const simulator = createSimulator({ basePath: "/_simulator", seedDemo: true });
let graphServer: ReturnType<typeof serve>;
let baseUrl = "";

beforeAll(async () => {
  await new Promise<void>((resolve) => {
    graphServer = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      baseUrl = `http://127.0.0.1:${info.port}/_simulator`;
      resolve();
    });
  });
});

afterAll(async () => {
  await new Promise((resolve) => graphServer.close(resolve));
});

describe("over HTTP", () => {
  it("serves the Graph API, injects a fault through the control API, and records the calls", async () => {
    const psid = DEMO_USERS[0]?.psid ?? "";
    const graph = `${baseUrl}/graph/v25.0`;
    const sendMessage = () =>
      fetch(`${graph}/me/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${DEMO_PAGE.accessToken}` },
        body: JSON.stringify({ recipient: { id: psid }, messaging_type: "RESPONSE", message: { text: "Hej!" } }),
      });

    const page = await fetch(`${graph}/${DEMO_PAGE.id}?fields=id,name&access_token=${DEMO_PAGE.accessToken}`);
    expect(await page.json()).toEqual({ id: DEMO_PAGE.id, name: DEMO_PAGE.name });

    const faultSet = await fetch(`${baseUrl}/_control/graph/faults/${psid}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ kind: "server_error" }),
    });
    expect(faultSet.status).toBe(204);

    const failed = await sendMessage();
    const sent = await sendMessage();
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: { code: 2, type: "OAuthException" } });
    expect(await sent.json()).toEqual({ recipient_id: psid, message_id: "m_sim_1" });

    const calls = (await (await fetch(`${baseUrl}/_control/graph/calls`)).json()) as { data: GraphCall[] };
    expect(calls.data.map((call) => [call.path, call.status])).toEqual([
      [`/v25.0/${DEMO_PAGE.id}`, 200],
      ["/v25.0/me/messages", 500],
      ["/v25.0/me/messages", 200],
    ]);
    expect(simulator.graph.calls[2]?.headers["content-type"]).toBe("application/json");
    expect(simulator.graph.calls[2]?.body).toMatchObject({ message: { text: "Hej!" } });
  });

  it("takes fault targets and profile refusals through the control API", async () => {
    const control = (method: string, path: string, body: unknown) =>
      fetch(`${baseUrl}/_control/graph/${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await control("PUT", "faults/7300", { kind: "expired_token", on: "sender_actions" })).status).toBe(204);
    expect(simulator.graph.state.faults.get("7300")).toEqual({
      kind: "expired_token",
      times: undefined,
      on: "sender_actions",
    });
    expect((await control("PUT", "faults/7300", { kind: "expired_token", on: "typing" })).status).toBe(400);

    const page = { ...DEMO_PAGE, restrictedProfileFields: ["locale"] };
    expect((await control("POST", "pages", page)).status).toBe(201);
    expect(simulator.graph.state.pages.get(DEMO_PAGE.id)?.restrictedProfileFields).toEqual(["locale"]);
    const user = { psid: "7301", firstName: "A", lastName: "B", profileUnavailable: true };
    expect((await control("POST", "users", user)).status).toBe(201);
    expect(simulator.graph.state.users.get("7301")?.profileUnavailable).toBe(true);
    simulator.reset();
  });

  it("posts a non-ASCII webhook whose signature verifies over the raw bytes received", async () => {
    const appSecret = "sim-app-secret";
    const received: { raw: Buffer; headers: Record<string, string | string[] | undefined> }[] = [];
    const receiver: Server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ raw: Buffer.concat(chunks), headers: request.headers });
        response.end("EVENT_RECEIVED");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    const { port } = receiver.address() as AddressInfo;

    try {
      const payload = messengerWebhook([
        textEvent({ pageId: DEMO_PAGE.id, psid: "7000000000000003", text: "Zoë fragt: Größe 42? 👟" }),
      ]);
      const response = await postSignedWebhook(`http://127.0.0.1:${port}/api/webhooks/messenger`, appSecret, payload);
      expect(response.status).toBe(200);

      const [{ raw, headers } = { raw: Buffer.alloc(0), headers: {} }] = received;
      const expected = `sha256=${createHmac("sha256", appSecret).update(raw).digest("hex")}`;
      const given = String(headers["x-hub-signature-256"]);
      expect(given.length).toBe(expected.length);
      expect(timingSafeEqual(Buffer.from(given), Buffer.from(expected))).toBe(true);
      expect(raw.toString("utf8")).toContain("Zo\\u00eb");
      expect(JSON.parse(raw.toString("utf8"))).toEqual(payload);
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
