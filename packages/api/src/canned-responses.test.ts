/**
 * Canned responses through the API: every member lists and searches, OWNER/ADMIN create, edit and
 * delete (audited), the agent is refused, bad input is a 400 naming the field with nothing stored,
 * a taken shortcut is a 409, and another workspace's reply does not exist.
 */
import type { Runtime } from "@tandem/core";
import { auditLogs, cannedResponses } from "@tandem/db";
import type { TestWorkspace } from "@tandem/db/testing";
import { and, asc, eq } from "drizzle-orm";
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
afterAll(async () => {
  await runtime.close();
});

const db = () => runtime.database.db;
const URL = "/api/v1/canned-responses";

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

interface Setup {
  ws: TestWorkspace;
  owner: TestClient;
  admin: TestClient;
  agent: TestClient;
}

async function setup(): Promise<Setup> {
  const ws = await createSignInWorkspace(runtime);
  const [owner, admin, agent] = await Promise.all([
    signedIn(ws.owner.user.email),
    signedIn(ws.admin.user.email),
    signedIn(ws.agent.user.email),
  ]);
  return { ws, owner, admin, agent };
}

const RETURNS = {
  shortcut: "returns",
  title: "Return policy",
  text: "Hi {contact_name}, you can return any item within 30 days. — {agent_name}",
};

async function create(client: TestClient, body: unknown = RETURNS) {
  const res = await client.post(URL, body);
  expect(res.status).toBe(201);
  return res.json();
}

const rowsOf = (workspaceId: string) =>
  db()
    .select()
    .from(cannedResponses)
    .where(eq(cannedResponses.workspaceId, workspaceId))
    .orderBy(asc(cannedResponses.shortcut));

const auditOf = (workspaceId: string) =>
  db()
    .select()
    .from(auditLogs)
    .where(and(eq(auditLogs.workspaceId, workspaceId), eq(auditLogs.entityType, "canned_response")))
    .orderBy(asc(auditLogs.createdAt), asc(auditLogs.id));

describe("POST /api/v1/canned-responses", () => {
  it("OWNER and ADMIN add replies, stored with their author and audited", async () => {
    const s = await setup();
    const byOwner = await create(s.owner);
    expect(byOwner).toMatchObject({
      id: expect.stringMatching(/^cr_/),
      ...RETURNS,
      createdBy: { id: s.ws.owner.user.id, name: s.ws.owner.user.name },
    });
    const byAdmin = await create(s.admin, { shortcut: "hours", title: "Opening hours", text: "We open at 9." });
    expect(byAdmin.createdBy.id).toBe(s.ws.admin.user.id);

    const rows = await rowsOf(s.ws.workspace.id);
    expect(rows.map((r) => r.shortcut)).toEqual(["hours", "returns"]);
    const audit = await auditOf(s.ws.workspace.id);
    expect(audit.map((a) => [a.action, a.entityId, a.actorUserId])).toEqual([
      ["canned_response.create", byOwner.id, s.ws.owner.user.id],
      ["canned_response.create", byAdmin.id, s.ws.admin.user.id],
    ]);
    expect(audit[0]?.after).toMatchObject(RETURNS);
  });

  it("an AGENT may not add one (403, nothing stored)", async () => {
    const s = await setup();
    const res = await s.agent.post(URL, RETURNS);
    expect(res.status).toBe(403);
    expect(await rowsOf(s.ws.workspace.id)).toHaveLength(0);
  });

  it.each([
    ["shortcut", { ...RETURNS, shortcut: "Returns" }],
    ["shortcut", { ...RETURNS, shortcut: "with space" }],
    ["shortcut", { ...RETURNS, shortcut: "x".repeat(33) }],
    ["shortcut", { ...RETURNS, shortcut: "" }],
    ["title", { ...RETURNS, title: "  " }],
    ["text", { ...RETURNS, text: "" }],
    ["text", { ...RETURNS, text: "x".repeat(4_001) }],
    ["text", { ...RETURNS, text: "Hello {customer}" }],
  ])("bad %s → 400 naming it, nothing stored (%j)", async (field, body) => {
    const s = await setup();
    const res = await s.admin.post(URL, body);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.code).toBe("invalid_input");
    expect(error.details.map((d: { path: string }) => d.path)).toEqual([field]);
    expect(await rowsOf(s.ws.workspace.id)).toHaveLength(0);
    expect(await auditOf(s.ws.workspace.id)).toHaveLength(0);
  });

  it("an unknown variable is named in the message, with the variables that exist", async () => {
    const s = await setup();
    const res = await s.admin.post(URL, { ...RETURNS, text: "Hi {name} and {name}, {order_id} is late" });
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(error.details[0].message).toBe(
      "Unknown variables {name}, {order_id}: use {contact_name}, {contact_first_name}, {agent_name}",
    );
  });

  it("a text of exactly 4,000 characters with braces that are not variables is accepted", async () => {
    const s = await setup();
    const text = `Use {"json": true} or { spaced } — `.padEnd(4_000, "x");
    expect(text).toHaveLength(4_000);
    const body = await create(s.admin, { ...RETURNS, text });
    expect(body.text).toBe(text);
  });

  it("a shortcut the workspace already uses → 409 naming it; another workspace may use it", async () => {
    const s = await setup();
    await create(s.admin);
    const res = await s.owner.post(URL, { ...RETURNS, title: "Another" });
    expect(res.status).toBe(409);
    const { error } = await res.json();
    expect(error.code).toBe("canned_response_shortcut_taken");
    expect(error.details).toEqual([{ path: "shortcut", message: expect.stringContaining("/returns") }]);
    expect(await rowsOf(s.ws.workspace.id)).toHaveLength(1);

    const other = await setup();
    await create(other.admin);
  });

  it("two creates of the same shortcut at once: one 201, one 409", async () => {
    const s = await setup();
    const results = await Promise.all([s.admin.post(URL, RETURNS), s.owner.post(URL, RETURNS)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await rowsOf(s.ws.workspace.id)).toHaveLength(1);
  });
});

describe("GET /api/v1/canned-responses", () => {
  it("every member lists the workspace's replies by shortcut, never another workspace's", async () => {
    const s = await setup();
    await create(s.admin);
    await create(s.admin, { shortcut: "hello", title: "Greeting", text: "Hello {contact_first_name}!" });
    const other = await setup();
    await create(other.admin, { shortcut: "secret", title: "Other workspace", text: "Not yours" });

    for (const client of [s.owner, s.admin, s.agent]) {
      const res = await client.get(URL);
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body.nextCursor).toBeNull();
      expect(body.data.map((r: { shortcut: string }) => r.shortcut)).toEqual(["hello", "returns"]);
    }
  });

  it("?q= finds words in the shortcut, title or text, case-insensitively; all words must match", async () => {
    const s = await setup();
    await create(s.admin);
    await create(s.admin, { shortcut: "hello", title: "Greeting", text: "Hello {contact_first_name}!" });
    await create(s.admin, { shortcut: "ship_50", title: "Shipping 50% off", text: "Free shipping over 50 dollars" });
    const find = async (q: string) => {
      const res = await s.agent.get(`${URL}?q=${encodeURIComponent(q)}`);
      expect(res.status).toBe(200);
      return (await res.json()).data.map((r: { shortcut: string }) => r.shortcut);
    };
    expect(await find("RETURN")).toEqual(["returns"]);
    expect(await find("greet")).toEqual(["hello"]);
    expect(await find("30 days")).toEqual(["returns"]);
    expect(await find("free 30")).toEqual([]);
    // LIKE's wildcards are searched as characters.
    expect(await find("50%")).toEqual(["ship_50"]);
    expect(await find("%")).toEqual(["ship_50"]);
    expect(await find("   ")).toHaveLength(3);
  });

  it("a query longer than 100 characters → 400 naming q", async () => {
    const s = await setup();
    const res = await s.agent.get(`${URL}?q=${"a".repeat(101)}`);
    expect(res.status).toBe(400);
    expect((await res.json()).error.details[0].path).toBe("q");
  });

  it("signed out → 401", async () => {
    const res = await new TestClient(app).get(URL);
    expect(res.status).toBe(401);
  });
});

describe("PATCH /api/v1/canned-responses/{id}", () => {
  it("ADMIN changes some fields, the others are kept; audited with before and after", async () => {
    const s = await setup();
    const created = await create(s.owner);
    const res = await s.admin.patch(`${URL}/${created.id}`, { title: "Returns (30 days)", shortcut: "ret" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ id: created.id, shortcut: "ret", title: "Returns (30 days)", text: RETURNS.text });
    expect(new Date(body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());
    const [row] = await rowsOf(s.ws.workspace.id);
    expect(row).toMatchObject({ shortcut: "ret", title: "Returns (30 days)", text: RETURNS.text });
    const audit = await auditOf(s.ws.workspace.id);
    expect(audit.at(-1)).toMatchObject({
      action: "canned_response.update",
      entityId: created.id,
      actorUserId: s.ws.admin.user.id,
      before: { shortcut: "returns", title: "Return policy" },
      after: { shortcut: "ret", title: "Returns (30 days)" },
    });
  });

  it("AGENT → 403; bad field → 400; empty body → 400; taken shortcut → 409; nothing changes", async () => {
    const s = await setup();
    const created = await create(s.owner);
    await create(s.owner, { shortcut: "hello", title: "Greeting", text: "Hello!" });
    const url = `${URL}/${created.id}`;

    expect((await s.agent.patch(url, { title: "Mine" })).status).toBe(403);
    const bad = await s.admin.patch(url, { text: "Dear {Contact_Name}" });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details[0].path).toBe("text");
    expect((await s.admin.patch(url, {})).status).toBe(400);
    const taken = await s.admin.patch(url, { shortcut: "hello" });
    expect(taken.status).toBe(409);
    expect((await taken.json()).error.code).toBe("canned_response_shortcut_taken");

    const row = (await rowsOf(s.ws.workspace.id)).find((r) => r.id === created.id);
    expect(row).toMatchObject(RETURNS);
    expect((await auditOf(s.ws.workspace.id)).map((a) => a.action)).toEqual([
      "canned_response.create",
      "canned_response.create",
    ]);
  });

  it("another workspace's reply, or an unknown id → 404, unchanged", async () => {
    const s = await setup();
    const other = await setup();
    const theirs = await create(other.admin);
    for (const id of [theirs.id, "cr_nope"]) {
      const res = await s.admin.patch(`${URL}/${id}`, { title: "Taken over" });
      expect(res.status).toBe(404);
      expect((await res.json()).error.code).toBe("canned_response_not_found");
    }
    const [row] = await rowsOf(other.ws.workspace.id);
    expect(row?.title).toBe(RETURNS.title);
  });
});

describe("DELETE /api/v1/canned-responses/{id}", () => {
  it("OWNER deletes it (204, audited with what it was); the shortcut is free again", async () => {
    const s = await setup();
    const created = await create(s.admin);
    const res = await s.owner.delete(`${URL}/${created.id}`);
    expect(res.status).toBe(204);
    expect(await rowsOf(s.ws.workspace.id)).toHaveLength(0);
    expect((await auditOf(s.ws.workspace.id)).at(-1)).toMatchObject({
      action: "canned_response.delete",
      entityId: created.id,
      before: RETURNS,
    });
    await create(s.admin);
  });

  it("AGENT → 403; another workspace's → 404; both kept", async () => {
    const s = await setup();
    const mine = await create(s.admin);
    const other = await setup();
    const theirs = await create(other.admin);
    expect((await s.agent.delete(`${URL}/${mine.id}`)).status).toBe(403);
    expect((await s.admin.delete(`${URL}/${theirs.id}`)).status).toBe(404);
    expect(await rowsOf(s.ws.workspace.id)).toHaveLength(1);
    expect(await rowsOf(other.ws.workspace.id)).toHaveLength(1);
  });
});
