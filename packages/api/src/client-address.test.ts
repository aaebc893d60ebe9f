import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { LOGIN_LIMITS, parseTrustProxy, type Runtime } from "@tandem/core";
import { auditLogs, sessions } from "@tandem/db";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";
import { createApiListener } from "./webhook-fast-path.ts";

/**
 * The address rate limits, sessions and audit rows are kept under, over real sockets: the test
 * connects from 127.0.0.1, which is the reverse proxy when TRUST_PROXY says so, and an untrusted
 * client otherwise.
 */
let runtime: Runtime;
let server: Server;
let base: string;

beforeAll(async () => {
  runtime = await createTestRuntime();
  const listener = createApiListener(runtime, createApp(runtime).fetch);
  server = createServer(listener);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  runtime.config.trustProxy = parseTrustProxy(undefined);
});
afterAll(async () => {
  server.close();
  await runtime.close();
});

/** A TestClient whose requests go over HTTP to the server, each with `X-Forwarded-For: forwardedFor`. */
function clientFrom(forwardedFor: string) {
  return new TestClient({
    request: (url, init) =>
      fetch(url.replace("http://localhost:3000", base), {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), "x-forwarded-for": forwardedFor },
      }),
  });
}

/** Failed sign-ins with a new unknown email each (so only the per-address limit counts them). */
async function failSignIns(times: number, forwardedFor: (i: number) => string) {
  for (let i = 0; i < times; i++) {
    const res = await clientFrom(forwardedFor(i)).signIn(`nobody-${i}-${Math.random()}@example.com`, "wrong-pass");
    expect(res.status).toBe(401);
  }
}

describe("client address behind proxies", () => {
  it("ignores a spoofed X-Forwarded-For from an untrusted peer: the login limit counts the peer", async () => {
    // A different claimed address on every attempt: all of them are 127.0.0.1's failures.
    await failSignIns(LOGIN_LIMITS.perIp.limit, (i) => `198.51.100.${i + 1}`);
    const ws = await createSignInWorkspace(runtime);
    const limited = await clientFrom("203.0.113.200").signIn(ws.owner.user.email, TEST_PASSWORD);
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.code).toBe("rate_limited");

    // The address is the peer's in the session and the audit trail too, whatever the header says.
    await runtime.limiter.reset("login:ip:127.0.0.1");
    const client = clientFrom("203.0.113.201");
    expect((await client.signIn(ws.owner.user.email, TEST_PASSWORD)).status).toBe(200);
    const [session] = await runtime.database.db.select().from(sessions).where(eq(sessions.userId, ws.owner.user.id));
    expect(session?.ip).toBe("127.0.0.1");
    const token = await client.post("/api/v1/tokens", { name: "audited" });
    expect(token.status).toBe(201);
    const [audit] = await runtime.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "api_token.create")));
    expect(audit).toMatchObject({ action: "api_token.create", ip: "127.0.0.1" });
    await runtime.limiter.reset("login:ip:127.0.0.1");
  });

  it("believes X-Forwarded-For from a trusted proxy: each client has its own limit and its own address", async () => {
    runtime.config.trustProxy = parseTrustProxy("loopback");
    // One client behind the proxy uses up its attempts (the proxy appended its peer to a spoofed entry)…
    await failSignIns(LOGIN_LIMITS.perIp.limit, () => "6.6.6.6, 198.51.100.77");
    const ws = await createSignInWorkspace(runtime);
    const blocked = await clientFrom("198.51.100.77").signIn(ws.admin.user.email, TEST_PASSWORD);
    expect(blocked.status).toBe(429);
    // …another client behind the same proxy signs in, and is recorded under its own address.
    const other = clientFrom("2001:db8:7::42");
    expect((await other.signIn(ws.owner.user.email, TEST_PASSWORD)).status).toBe(200);
    const [session] = await runtime.database.db.select().from(sessions).where(eq(sessions.userId, ws.owner.user.id));
    expect(session?.ip).toBe("2001:db8:7::42");
    expect((await other.post("/api/v1/tokens", { name: "audited" })).status).toBe(201);
    const [audit] = await runtime.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "api_token.create")));
    expect(audit).toMatchObject({ action: "api_token.create", ip: "2001:db8:7::42" });
    // The proxy itself was never limited.
    expect((await runtime.limiter.peek("login:ip:127.0.0.1", LOGIN_LIMITS.perIp)).remaining).toBe(
      LOGIN_LIMITS.perIp.limit,
    );
  });
});
