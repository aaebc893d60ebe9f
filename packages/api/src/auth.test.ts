import type { Runtime } from "@tandem/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  runtime = await createTestRuntime();
  app = createApp(runtime);
});
afterAll(() => runtime.close());

describe("sign-in", () => {
  it("signs in with email + password and exposes the session", async () => {
    const ws = await createSignInWorkspace(runtime);
    const client = new TestClient(app);
    const res = await client.signIn(ws.owner.user.email.toUpperCase(), TEST_PASSWORD);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      role: "OWNER",
      workspace: { id: ws.workspace.id },
      user: { email: ws.owner.user.email },
    });
    expect(res.headers.getSetCookie().join(";")).toMatch(/tandem_session=.*HttpOnly/i);

    const me = await client.get("/api/v1/me");
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ role: "OWNER", permissions: expect.arrayContaining(["members.manage"]) });
  });

  it("answers a wrong password and an unknown email the same way", async () => {
    const ws = await createSignInWorkspace(runtime);
    const wrong = await new TestClient(app).signIn(ws.admin.user.email, "not the password");
    const unknown = await new TestClient(app).signIn("nobody@example.com", "whatever-123");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.json(), await unknown.json()];
    expect(a.error.code).toBe("invalid_credentials");
    expect(a.error.message).toBe(b.error.message);
    expect(a.error.requestId).toBeTruthy();
  });

  it("rate limits repeated failures with 429 and Retry-After, even for the right password", async () => {
    const ws = await createSignInWorkspace(runtime);
    const client = new TestClient(app);
    for (let i = 0; i < 5; i++) expect((await client.signIn(ws.agent.user.email, "bad-password")).status).toBe(401);
    const limited = await client.signIn(ws.agent.user.email, TEST_PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await limited.json()).error.code).toBe("rate_limited");
  });

  it("signs out and the old cookie stops working", async () => {
    const ws = await createSignInWorkspace(runtime);
    const client = new TestClient(app);
    await client.signIn(ws.agent.user.email, TEST_PASSWORD);
    expect((await client.post("/api/auth/sign-out")).status).toBe(204);
    expect((await client.get("/api/v1/me")).status).toBe(401);
  });

  it("refuses a cross-origin sign-in", async () => {
    const ws = await createSignInWorkspace(runtime);
    const res = await new TestClient(app, { origin: "https://evil.example" }).signIn(
      ws.owner.user.email,
      TEST_PASSWORD,
    );
    expect(res.status).toBe(403);
  });
});

describe("request hygiene", () => {
  it("rejects unauthenticated /api/v1 calls with the error shape", async () => {
    const res = await app.request("/api/v1/me");
    expect(res.status).toBe(401);
    const body = await res.json();
    expect(body.error).toMatchObject({ code: "unauthenticated", requestId: expect.any(String) });
    expect(res.headers.get("x-request-id")).toBe(body.error.requestId);
  });

  it("answers malformed JSON with 400 invalid_json", async () => {
    const res = await new TestClient(app).post("/api/auth/sign-in", "{not json");
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("invalid_json");
  });

  it("answers invalid input with 400 and field paths", async () => {
    const res = await new TestClient(app).post("/api/auth/sign-in", { email: "not-an-email" });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.code).toBe("invalid_input");
    expect(body.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(["email", "password"]),
    );
  });

  it("refuses bodies over 1 MB with 413", async () => {
    const res = await new TestClient(app).post(
      "/api/auth/sign-in",
      JSON.stringify({ email: "a@b.co", password: "x".repeat(1_100_000) }),
    );
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("payload_too_large");
  });

  it("requires the CSRF token on cookie mutations", async () => {
    const ws = await createSignInWorkspace(runtime);
    const client = new TestClient(app);
    await client.signIn(ws.owner.user.email, TEST_PASSWORD);
    const res = await client.request("POST", "/api/v1/tokens", { name: "ci" }, { "x-csrf-token": "forged" });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("csrf_failed");
    expect((await client.post("/api/v1/tokens", { name: "ci" })).status).toBe(201);
  });

  it("sends CORS headers only to the app's own origin", async () => {
    const own = await app.request("/api/v1/me", {
      method: "OPTIONS",
      headers: { origin: "http://localhost:3000", "access-control-request-method": "GET" },
    });
    expect(own.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    const other = await app.request("/api/v1/me", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "GET" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("hides internals of unexpected errors behind a request id", async () => {
    const broken = createApp(runtime);
    broken.get("/api/boom", () => {
      throw new Error("database password is hunter2");
    });
    const res = await broken.request("/api/boom");
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.error.code).toBe("internal_error");
    expect(JSON.stringify(body)).not.toContain("hunter2");
  });
});

describe("personal API tokens", () => {
  it("are shown once, work as Bearer, and stop working when revoked", async () => {
    const ws = await createSignInWorkspace(runtime);
    const client = new TestClient(app);
    await client.signIn(ws.agent.user.email, TEST_PASSWORD);
    const created = await client.post("/api/v1/tokens", { name: "script" });
    expect(created.status).toBe(201);
    const { token, apiToken } = await created.json();
    expect(token).toMatch(/^tdm_/);
    expect(apiToken.hint).toContain(token.slice(-4));

    const list = await (await client.get("/api/v1/tokens")).json();
    expect(JSON.stringify(list)).not.toContain(token);

    const bearer = TestClient.bearer(app, token);
    expect(await (await bearer.get("/api/v1/me")).json()).toMatchObject({
      role: "AGENT",
      workspace: { id: ws.workspace.id },
    });
    // Bearer requests need no CSRF token.
    expect((await bearer.post("/api/v1/tokens", { name: "from-token" })).status).toBe(201);

    expect((await client.delete(`/api/v1/tokens/${apiToken.id}`)).status).toBe(204);
    expect((await bearer.get("/api/v1/me")).status).toBe(401);
  });

  it("rejects a garbage bearer token", async () => {
    expect((await TestClient.bearer(app, "tdm_nope").get("/api/v1/me")).status).toBe(401);
  });
});

describe("health and OpenAPI", () => {
  it("serves public health without details", async () => {
    const res = await app.request("/api/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: "ok",
      version: expect.any(String),
      demo: expect.any(Boolean),
      simulator: expect.any(Boolean),
      mail: expect.any(Boolean),
      appUrl: runtime.config.appUrl,
      // http://localhost: LINE could not fetch agents' files from here.
      publicMedia: false,
    });
  });

  it("serves detailed health to admins only", async () => {
    const ws = await createSignInWorkspace(runtime);
    const admin = new TestClient(app);
    await admin.signIn(ws.admin.user.email, TEST_PASSWORD);
    const res = await admin.get("/api/v1/health");
    const body = await res.json();
    expect(body).toMatchObject({
      database: { status: "ok" },
      migrations: { status: "ok" },
      vector: { available: true },
    });
    const agent = new TestClient(app);
    await agent.signIn(ws.agent.user.email, TEST_PASSWORD);
    expect((await agent.get("/api/v1/health")).status).toBe(403);
  });

  it("publishes an OpenAPI document generated from the route schemas", async () => {
    const doc = await (await app.request("/api/v1/openapi.json")).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/api/v1/members"].post["x-permission"]).toBe("members.manage");
    expect(doc.paths["/api/auth/sign-in"].post.requestBody).toBeTruthy();
  });
});
