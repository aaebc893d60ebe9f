/**
 * The audit log through the API: OWNER and ADMIN read it (an AGENT and a token of an AGENT are
 * refused), newest first with a cursor, filtered by actor, action (exact or prefix), entity and
 * time; another workspace's rows never show; secrets never leave (redacted when written and again
 * when read); sign-ins, failed sign-ins, sign-outs and exports are recorded with their address and
 * user agent. (Retention: packages/core/src/audit/prune-audit-log.test.ts.)
 */
import { type AuditLogEntryDto, REDACTED } from "@tandem/contracts";
import type { Runtime } from "@tandem/core";
import { auditLogs, members, newId } from "@tandem/db";
import type { TestWorkspace } from "@tandem/db/testing";
import { and, eq } from "drizzle-orm";
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

const db = () => runtime.database.db;
const URL = "/api/v1/audit-log";
const DAY = 24 * 60 * 60_000;

async function signedIn(email: string, ip?: string) {
  const client = new TestClient(app, ip ? { ip } : {});
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

async function list(client: TestClient, query: Record<string, string> = {}) {
  const res = await client.get(`${URL}?${new URLSearchParams(query)}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { data: AuditLogEntryDto[]; nextCursor: string | null };
}

/** An audit row written straight to the table (as an older caller might have), at a chosen time. */
async function storeRow(ws: TestWorkspace, values: Partial<typeof auditLogs.$inferInsert> & { daysAgo?: number }) {
  const { daysAgo = 0, ...rest } = values;
  const id = newId("auditLog");
  await db()
    .insert(auditLogs)
    .values({
      id,
      workspaceId: ws.workspace.id,
      actorType: "user",
      actorUserId: ws.owner.user.id,
      action: "thing.change",
      entityType: "thing",
      createdAt: new Date(Date.now() - daysAgo * DAY),
      ...rest,
    });
  return id;
}

describe("who may read the audit log", () => {
  it("lets OWNER and ADMIN read it and refuses an AGENT, by session or by token", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    const admin = await signedIn(ws.admin.user.email);
    const agent = await signedIn(ws.agent.user.email);
    expect((await owner.get(URL)).status).toBe(200);
    expect((await admin.get(URL)).status).toBe(200);
    const refused = await agent.get(URL);
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.code).toBe("forbidden");
    expect((await agent.get(`${URL}/filters`)).status).toBe(403);

    const created = await agent.post("/api/v1/tokens", { name: "agent script" });
    expect(created.status).toBe(201);
    const agentToken = TestClient.bearer(app, (await created.json()).token);
    expect((await agentToken.get(URL)).status).toBe(403);
    expect((await new TestClient(app).get(URL)).status).toBe(401);
  });

  it("never shows another workspace's rows, whatever the filter", async () => {
    const mine = await createSignInWorkspace(runtime);
    const theirs = await createSignInWorkspace(runtime);
    const theirRow = await storeRow(theirs, { action: "channel.connect", entityType: "channel", entityId: "ch_x" });
    const owner = await signedIn(mine.owner.user.email);
    const queries: Record<string, string>[] = [
      {},
      { action: "channel." },
      { entityId: "ch_x" },
      { actor: theirs.owner.user.id },
    ];
    for (const query of queries) {
      expect((await list(owner, query)).data.map((r) => r.id)).not.toContain(theirRow);
    }
    const filters = await (await owner.get(`${URL}/filters`)).json();
    expect(filters.actions).not.toContain("channel.connect");
    expect(filters.actors.map((a: { userId: string }) => a.userId)).not.toContain(theirs.owner.user.id);
  });
});

describe("GET /api/v1/audit-log", () => {
  it("lists a change made through the API with who, what, when, where from and before / after", async () => {
    const ws = await createSignInWorkspace(runtime);
    const admin = await signedIn(ws.admin.user.email, "203.0.113.9");
    const res = await admin.request(
      "PATCH",
      "/api/v1/settings/inbox",
      { autoAssign: "round_robin" },
      {
        "user-agent": "AuditTest/1.0",
      },
    );
    expect(res.status).toBe(200);
    const { data } = await list(admin, { action: "workspace.inbox_settings.update" });
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({
      action: "workspace.inbox_settings.update",
      entityType: "workspace",
      entityId: ws.workspace.id,
      actor: { type: "user", userId: ws.admin.user.id, email: ws.admin.user.email, tokenId: null },
      ip: "203.0.113.9",
      userAgent: "AuditTest/1.0",
      before: { autoAssign: "off" },
      after: { autoAssign: "round_robin" },
    });
    expect(data[0]!.actor.label).toBe(ws.admin.user.name ?? ws.admin.user.email);
    expect(data[0]!.requestId).toBe(res.headers.get("x-request-id"));
    expect(Date.now() - Date.parse(data[0]!.createdAt)).toBeLessThan(60_000);
  });

  it("pages newest first with a cursor, without gaps or repeats when rows share a timestamp", async () => {
    const ws = await createSignInWorkspace(runtime);
    const at = new Date(Date.now() - DAY);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await storeRow(ws, { action: "page.test", createdAt: at }));
    const newest = await storeRow(ws, { action: "page.test" });
    const owner = await signedIn(ws.owner.user.email);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { data: AuditLogEntryDto[]; nextCursor: string | null } = await list(owner, {
        action: "page.test",
        limit: "3",
        ...(cursor ? { cursor } : {}),
      });
      expect(page.data.length).toBeLessThanOrEqual(3);
      seen.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen[0]).toBe(newest);
    expect(new Set(seen).size).toBe(8);
    expect(seen.slice(1)).toEqual([...ids].sort().reverse());

    const bad = await owner.get(`${URL}?cursor=not-a-cursor`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe("invalid_cursor");
  });

  it("filters by actor (a person, their token, the system), action or prefix, entity and time", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    const tokenRes = await owner.post("/api/v1/tokens", { name: "deploy script" });
    const { token, apiToken } = await tokenRes.json();
    const bearer = TestClient.bearer(app, token);
    expect(
      (await bearer.post("/api/v1/canned-responses", { shortcut: "hi", title: "Hi", text: "Hello there" })).status,
    ).toBe(201);
    const admin = await signedIn(ws.admin.user.email);
    expect((await admin.patch("/api/v1/settings/inbox", { assignOnReply: false })).status).toBe(200);
    const systemRow = await storeRow(ws, {
      actorType: "system",
      actorUserId: null,
      action: "channel.reconnect_needed",
    });
    const old = await storeRow(ws, { action: "channel.connect", entityType: "channel", entityId: "ch_1", daysAgo: 10 });
    const older = await storeRow(ws, {
      action: "channel.update",
      entityType: "channel",
      entityId: "ch_2",
      daysAgo: 20,
    });

    const actions = async (query: Record<string, string>) => (await list(owner, query)).data.map((r) => r.action);

    // A person: their own actions and their tokens'.
    expect(await actions({ actor: ws.owner.user.id })).toEqual(
      expect.arrayContaining(["api_token.create", "canned_response.create", "user.sign_in"]),
    );
    expect(await actions({ actor: ws.owner.user.id })).not.toContain("workspace.inbox_settings.update");
    // One token.
    const byToken = await list(owner, { actor: apiToken.id });
    expect(byToken.data.map((r) => r.action)).toEqual(["canned_response.create"]);
    expect(byToken.data[0]!.actor).toMatchObject({
      type: "token",
      tokenId: apiToken.id,
      tokenName: "deploy script",
      userId: ws.owner.user.id,
    });
    expect(byToken.data[0]!.actor.label).toContain('Token "deploy script"');
    // The system.
    const bySystem = await list(owner, { actor: "system" });
    expect(bySystem.data.map((r) => r.id)).toEqual([systemRow]);
    expect(bySystem.data[0]!.actor).toMatchObject({ type: "system", label: "System", userId: null });

    expect(await actions({ action: "channel." })).toEqual([
      "channel.reconnect_needed",
      "channel.connect",
      "channel.update",
    ]);
    expect(await actions({ action: "channel.connect" })).toEqual(["channel.connect"]);
    expect(await actions({ action: "channel" })).toEqual([]);
    expect((await list(owner, { entityType: "channel", entityId: "ch_2" })).data.map((r) => r.id)).toEqual([older]);
    expect((await list(owner, { entityType: "canned_response" })).data).toHaveLength(1);

    const iso = (daysAgo: number) => new Date(Date.now() - daysAgo * DAY).toISOString();
    expect((await list(owner, { from: iso(15), to: iso(5) })).data.map((r) => r.id)).toEqual([old]);
    expect((await list(owner, { to: iso(5) })).data.map((r) => r.id)).toEqual([old, older]);
    expect((await list(owner, { from: iso(1), action: "channel." })).data.map((r) => r.id)).toEqual([systemRow]);

    const filters = await (await owner.get(`${URL}/filters`)).json();
    expect(filters.actions).toEqual(
      expect.arrayContaining(["api_token.create", "canned_response.create", "channel.connect", "user.sign_in"]),
    );
    expect(filters.entityTypes).toEqual(expect.arrayContaining(["api_token", "canned_response", "channel", "user"]));
    expect(filters.actors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "system", label: "System" }),
        expect.objectContaining({ type: "user", userId: ws.admin.user.id }),
        expect.objectContaining({ type: "token", tokenId: apiToken.id }),
      ]),
    );
  });

  it("refuses bad filters with a 400 naming them", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    for (const query of ["actor=alice", "action=DROP TABLE", "from=yesterday", "limit=1000", "to=2026-13-01"]) {
      const res = await owner.get(`${URL}?${query}`);
      expect(res.status, query).toBe(400);
      expect(JSON.stringify((await res.json()).error), query).toContain(query.split("=")[0]);
    }
    const backwards = await owner.get(`${URL}?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`);
    expect(backwards.status).toBe(400);
    expect((await backwards.json()).error.code).toBe("invalid_time_range");
  });
});

describe("secrets in the audit log", () => {
  it("never returns a secret, even one a caller wrote unredacted", async () => {
    const ws = await createSignInWorkspace(runtime);
    const secrets = {
      apiKey: "sk-live-abcdef0123456789",
      accessToken: "EAAB0123456789abcdefghijklmnopqrstuvwx",
      channel_secret: "0123456789abcdef0123456789abcdef",
      password: "hunter2hunter2",
      nested: { clientSecret: "shh-very-secret", headers: { Authorization: "Bearer abc.def.ghi" } },
      list: [{ token: "tdm_abcdefabcdefabcdef" }],
      refreshTokens: ["r1-secret-value", "r2-secret-value"],
      credential: { kind: "OPENAI", keyHint: "••••abcd", apiKey: "sk-proj-nested0123456789" },
      pasted: "tdm_0123456789abcdef0123456789",
    };
    const keep = { model: "gpt-4o-mini", maxTokens: 800, tokenHint: "••••wxyz", identitySecretSet: true };
    const id = await storeRow(ws, { action: "provider.update", before: { ...keep }, after: { ...secrets, ...keep } });
    const owner = await signedIn(ws.owner.user.email);
    const [row] = (await list(owner, { action: "provider.update" })).data;
    expect(row!.id).toBe(id);
    const body = JSON.stringify(row);
    for (const value of [
      "sk-live-abcdef0123456789",
      "EAAB0123456789",
      "0123456789abcdef0123456789abcdef",
      "hunter2",
      "shh-very-secret",
      "abc.def.ghi",
      "tdm_",
      "secret-value",
      "nested0123456789",
    ]) {
      expect(body).not.toContain(value);
    }
    expect(row!.after).toEqual({
      apiKey: REDACTED,
      accessToken: REDACTED,
      channel_secret: REDACTED,
      password: REDACTED,
      nested: { clientSecret: REDACTED, headers: { Authorization: REDACTED } },
      list: [{ token: REDACTED }],
      refreshTokens: [REDACTED, REDACTED],
      credential: { kind: "OPENAI", keyHint: "••••abcd", apiKey: REDACTED },
      pasted: REDACTED,
      ...keep,
    });
    expect(row!.before).toEqual(keep);
  });

  it("redacts when writing too: a provider key set through the API is not stored in the row", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    const res = await owner.post("/api/v1/providers/credentials", {
      name: "Team key",
      kind: "OPENAI",
      apiKey: "sk-proj-writtenSecret0123456789",
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const rows = await db()
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "provider_credential.create")));
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows[0])).not.toContain("writtenSecret");
  });
});

describe("sign-ins, sign-outs and exports", () => {
  it("records a sign-in and a sign-out with the address and user agent, never the password", async () => {
    const ws = await createSignInWorkspace(runtime);
    const agent = new TestClient(app, { ip: "198.51.100.23" });
    const res = await agent.request(
      "POST",
      "/api/auth/sign-in",
      { email: ws.agent.user.email, password: TEST_PASSWORD },
      { "user-agent": "Mozilla/5.0 (AuditTest)" },
    );
    expect(res.status).toBe(200);
    agent.csrfToken = (await res.json()).csrfToken;
    expect(
      (await agent.request("POST", "/api/auth/sign-out", {}, { "user-agent": "Mozilla/5.0 (AuditTest)" })).status,
    ).toBe(204);

    const owner = await signedIn(ws.owner.user.email);
    const { data } = await list(owner, { actor: ws.agent.user.id });
    expect(data.map((r) => r.action)).toEqual(["user.sign_out", "user.sign_in"]);
    for (const row of data) {
      expect(row).toMatchObject({
        entityType: "user",
        entityId: ws.agent.user.id,
        ip: "198.51.100.23",
        userAgent: "Mozilla/5.0 (AuditTest)",
        actor: { type: "user", email: ws.agent.user.email },
      });
    }
    expect(JSON.stringify(data)).not.toContain(TEST_PASSWORD);
  });

  it("records a failed sign-in in every workspace of the account tried, and nothing for an unknown email", async () => {
    const ws = await createSignInWorkspace(runtime);
    const other = await createSignInWorkspace(runtime);
    // The agent of `ws` is a member of `other` too.
    await db().insert(members).values({ workspaceId: other.workspace.id, userId: ws.agent.user.id, role: "AGENT" });
    const before = await db().select({ id: auditLogs.id }).from(auditLogs);

    const guesser = new TestClient(app, { ip: "192.0.2.66" });
    const wrong = await guesser.request(
      "POST",
      "/api/auth/sign-in",
      { email: ws.agent.user.email.toUpperCase(), password: "not the password 123" },
      { "user-agent": "curl/8.0" },
    );
    expect(wrong.status).toBe(401);
    expect(
      (await guesser.post("/api/auth/sign-in", { email: "nobody-here@example.com", password: "x".repeat(12) })).status,
    ).toBe(401);

    const added = (await db().select().from(auditLogs)).filter((r) => !before.some((b) => b.id === r.id));
    expect(added.map((r) => [r.workspaceId, r.action]).sort()).toEqual(
      [
        [ws.workspace.id, "user.sign_in_failed"],
        [other.workspace.id, "user.sign_in_failed"],
      ].sort(),
    );
    for (const row of added) {
      expect(row).toMatchObject({ actorUserId: ws.agent.user.id, ip: "192.0.2.66", userAgent: "curl/8.0" });
      expect(JSON.stringify(row)).not.toContain("not the password");
    }
    const owner = await signedIn(other.owner.user.email);
    expect((await list(owner, { action: "user.sign_in_failed" })).data).toHaveLength(1);
  });

  it("records an FAQ export with its row count", async () => {
    const ws = await createSignInWorkspace(runtime);
    const admin = await signedIn(ws.admin.user.email);
    const created = await admin.post("/api/v1/knowledge/sources", { type: "faq", name: "Shop FAQ" });
    expect(created.status, await created.clone().text()).toBe(201);
    const source = await created.json();
    for (const question of ["Opening hours?", "Do you ship abroad?"]) {
      const res = await admin.post(`/api/v1/knowledge/sources/${source.id}/faq`, { question, answer: "Yes." });
      expect(res.status, await res.clone().text()).toBe(201);
    }
    expect((await admin.get(`/api/v1/knowledge/sources/${source.id}/faq/export`)).status).toBe(200);
    const { data } = await list(admin, { action: "knowledge_source.export" });
    expect(data).toHaveLength(1);
    expect(data[0]).toMatchObject({
      entityType: "knowledge_source",
      entityId: source.id,
      actor: { userId: ws.admin.user.id },
      after: { format: "faq_csv", rows: 2 },
    });
  });
});
