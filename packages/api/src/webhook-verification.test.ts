import { once } from "node:events";
import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Runtime } from "@tandem/core";
import { webhookVerifications } from "@tandem/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";
import { createApiListener } from "./webhook-fast-path.ts";

const VERIFY_TOKEN = "verify-me-please";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
let server: Server;
let base: string;

/** A server on a free port; its handler is bound once the runtime (which needs the URL) exists. */
async function listening(handler: () => RequestListener): Promise<[Server, string]> {
  const s = createServer((req, res) => handler()(req, res));
  s.listen(0, "127.0.0.1");
  await once(s, "listening");
  return [s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`];
}

beforeAll(async () => {
  let listener: RequestListener | undefined;
  [server, base] = await listening(() => listener!);
  // APP_URL is this server: "Test verification" sends Meta's GET to it over real HTTP.
  runtime = await createTestRuntime({ APP_URL: base, WEBHOOK_VERIFY_TOKEN: VERIFY_TOKEN, FB_APP_SECRET: "s3cret" });
  app = createApp(runtime);
  listener = createApiListener(runtime, app.fetch);
});
afterAll(async () => {
  server.close();
  await runtime.close();
});

async function signedIn(email: string) {
  const client = new TestClient(app, { origin: base });
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

const setup = (client: TestClient) => client.get("/api/v1/channels/messenger/webhook").then((r) => r.json());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Messenger webhook verification", () => {
  it("remembers Meta's last handshake: a wrong token's attempt and reason, then the pass", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    expect((await setup(owner)).verification).toEqual({
      lastVerifiedAt: null,
      lastFailedAttemptAt: null,
      lastFailedAttemptReason: null,
    });

    const wrong = await fetch(
      `${base}/api/webhooks/messenger?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=42`,
    );
    expect(wrong.status).toBe(403);
    const failed = (await setup(owner)).verification;
    expect(failed).toMatchObject({
      lastVerifiedAt: null,
      lastFailedAttemptReason: expect.stringMatching(/does not match/),
    });

    const ok = await fetch(
      `${base}/api/webhooks/messenger?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`,
    );
    expect(await ok.text()).toBe("42");
    const passed = (await setup(owner)).verification;
    expect(Date.parse(passed.lastVerifiedAt)).toBeGreaterThanOrEqual(Date.parse(failed.lastFailedAttemptAt));
  });

  it("keeps the last pass through a flood of refused handshakes from anyone: they are recorded as attempts", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    await sleep(1_100); // past the per-second throttle on recording outcomes
    const ok = await fetch(
      `${base}/api/webhooks/messenger?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=7`,
    );
    expect(await ok.text()).toBe("7");
    const verified = (await setup(owner)).verification.lastVerifiedAt;
    expect(verified).not.toBeNull();
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const query = i % 2 ? "hub.mode=subscribe&hub.verify_token=guess" : "hub.mode=unsubscribe";
        expect((await fetch(`${base}/api/webhooks/messenger?${query}&hub.challenge=${i}`)).status).toBe(403);
      }),
    );
    expect((await setup(owner)).verification).toMatchObject({
      lastVerifiedAt: verified,
      lastFailedAttemptAt: expect.any(String),
      lastFailedAttemptReason: expect.stringMatching(/hub\.mode|verify token/),
    });
  });

  it("plays Meta's handshake against the callback URL: passes here, and says why it fails elsewhere", async () => {
    const ws = await createSignInWorkspace(runtime);
    const admin = await signedIn(ws.admin.user.email);
    await sleep(1_100); // past the per-second throttle on recording outcomes
    const res = await admin.post("/api/v1/channels/messenger/webhook/verify");
    expect(res.status).toBe(200);
    const verdict = await res.json();
    expect(verdict).toMatchObject({ ok: true, status: 200, callbackUrl: `${base}/api/webhooks/messenger` });
    // The handshake went through the real GET handler, which recorded it.
    expect(Date.parse((await setup(admin)).verification.lastVerifiedAt)).toBeGreaterThanOrEqual(
      Date.parse(verdict.checkedAt) - 1_000,
    );

    const saved = runtime.config.appUrl;
    const [other, otherUrl] = await listening(() => (_req, res) => res.writeHead(403).end("Forbidden"));
    try {
      // Another server at APP_URL refuses the token.
      runtime.config.appUrl = otherUrl;
      expect(await (await admin.post("/api/v1/channels/messenger/webhook/verify")).json()).toMatchObject({
        ok: false,
        status: 403,
        message: expect.stringMatching(/refused this server's verify token/),
      });
      // Nothing listens at APP_URL (a port freed before anyone connected to it).
      const [gone, goneUrl] = await listening(() => (_req, res) => res.end());
      gone.close();
      await once(gone, "close");
      runtime.config.appUrl = goneUrl;
      expect(await (await admin.post("/api/v1/channels/messenger/webhook/verify")).json()).toMatchObject({
        ok: false,
        status: null,
        message: expect.stringMatching(/Could not reach .*: connection refused \(ECONNREFUSED\)\. .*APP_URL/),
      });
    } finally {
      runtime.config.appUrl = saved;
      other.close();
    }
  });

  it("is 409 without a verify token, and for OWNER/ADMIN only", async () => {
    const ws = await createSignInWorkspace(runtime);
    const agent = await signedIn(ws.agent.user.email);
    expect((await agent.post("/api/v1/channels/messenger/webhook/verify")).status).toBe(403);

    const owner = await signedIn(ws.owner.user.email);
    runtime.config.facebook.verifyToken = undefined;
    try {
      const res = await owner.post("/api/v1/channels/messenger/webhook/verify");
      expect(res.status).toBe(409);
      expect((await res.json()).error).toMatchObject({
        code: "webhook_not_configured",
        message: expect.stringContaining("WEBHOOK_VERIFY_TOKEN"),
      });
    } finally {
      runtime.config.facebook.verifyToken = VERIFY_TOKEN;
    }
    const rows = await runtime.database.db.select().from(webhookVerifications);
    expect(rows.map((r) => r.platform)).toEqual(["messenger"]);
  });
});
