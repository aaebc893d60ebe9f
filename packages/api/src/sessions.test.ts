import { rooms } from "@tandem/contracts";
import { type Runtime, SESSION_LAST_SEEN_EVERY_MS } from "@tandem/core";
import { createMember, createTestWorkspace } from "@tandem/db/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";

const DAY = 24 * 60 * 60 * 1000;
const CHROME_MAC =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const SAFARI_IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;
const disconnected: string[] = [];

beforeAll(async () => {
  runtime = await createTestRuntime();
  app = createApp(runtime);
  runtime.realtime.bind({ emit: () => {}, disconnect: (targets) => disconnected.push(...targets) });
});
afterAll(() => runtime.close());
afterEach(() => {
  vi.useRealTimers();
});

/** A browser signed in as `email`, announcing itself with `userAgent`. */
async function browser(email: string, userAgent = CHROME_MAC): Promise<TestClient> {
  const client = new TestClient(app);
  const res = await client.post("/api/auth/sign-in", { email, password: TEST_PASSWORD }, { "user-agent": userAgent });
  expect(res.status).toBe(200);
  client.csrfToken = ((await res.json()) as { csrfToken: string }).csrfToken;
  return client;
}

interface SessionBody {
  id: string;
  current: boolean;
  device: string;
  mobile: boolean;
  ip: string | null;
  workspace: { id: string; name: string } | null;
  createdAt: string;
  lastSeenAt: string | null;
  expiresAt: string;
}

async function sessionsOf(client: TestClient): Promise<SessionBody[]> {
  const res = await client.get("/api/v1/me/sessions");
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: SessionBody[] }).data;
}

const currentId = async (client: TestClient) => (await sessionsOf(client)).find((s) => s.current)!.id;

describe("GET /api/v1/me/sessions", () => {
  it("lists the caller's sessions with a readable device, the current one flagged, nobody else's", async () => {
    const ws = await createSignInWorkspace(runtime);
    const laptop = await browser(ws.agent.user.email, CHROME_MAC);
    await browser(ws.agent.user.email, SAFARI_IPHONE);
    await browser(ws.admin.user.email);

    const list = await sessionsOf(laptop);
    expect(list).toHaveLength(2);
    const here = list.find((s) => s.current)!;
    expect(here).toMatchObject({
      device: "Chrome on macOS",
      mobile: false,
      workspace: { id: ws.workspace.id, name: ws.workspace.name },
      createdAt: expect.any(String),
      lastSeenAt: expect.any(String),
    });
    expect(new Date(here.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * DAY);
    expect(list.find((s) => !s.current)).toMatchObject({ device: "Safari on iPhone", mobile: true });
  });

  it("writes last seen at most every few minutes, not on every request", async () => {
    const ws = await createSignInWorkspace(runtime);
    const client = await browser(ws.agent.user.email);
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const firstSeen = (await sessionsOf(client))[0]!.lastSeenAt;

    vi.setSystemTime(start + SESSION_LAST_SEEN_EVERY_MS / 2);
    expect((await sessionsOf(client))[0]!.lastSeenAt).toBe(firstSeen);

    vi.setSystemTime(start + SESSION_LAST_SEEN_EVERY_MS + 1_000);
    const later = (await sessionsOf(client))[0]!.lastSeenAt!;
    expect(new Date(later).getTime()).toBe(start + SESSION_LAST_SEEN_EVERY_MS + 1_000);
  });
});

describe("revoking sessions", () => {
  it("signs one session out: its cookie stops working and its sockets are disconnected", async () => {
    const ws = await createSignInWorkspace(runtime);
    const laptop = await browser(ws.agent.user.email);
    const phone = await browser(ws.agent.user.email, SAFARI_IPHONE);
    const phoneId = await currentId(phone);

    expect((await laptop.delete(`/api/v1/me/sessions/${phoneId}`)).status).toBe(204);
    expect((await phone.get("/api/v1/me")).status).toBe(401);
    expect((await laptop.get("/api/v1/me")).status).toBe(200);
    expect(disconnected).toContain(rooms.session(phoneId));
    expect((await sessionsOf(laptop)).map((s) => s.id)).not.toContain(phoneId);
  });

  it("answers 404 for another user's session, which keeps working", async () => {
    const ws = await createSignInWorkspace(runtime);
    const mallory = await browser(ws.agent.user.email);
    const victim = await browser(ws.admin.user.email);
    const victimId = await currentId(victim);

    const res = await mallory.delete(`/api/v1/me/sessions/${victimId}`);
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("session_not_found");
    expect((await victim.get("/api/v1/me")).status).toBe(200);
    expect(disconnected).not.toContain(rooms.session(victimId));
  });

  it("are the signed-in person's to manage: a personal API token may neither list nor end them", async () => {
    const ws = await createSignInWorkspace(runtime);
    const laptop = await browser(ws.agent.user.email);
    const laptopId = await currentId(laptop);
    const { token } = await (await laptop.post("/api/v1/tokens", { name: "script" })).json();
    const script = TestClient.bearer(app, token);
    expect((await script.get("/api/v1/me/sessions")).status).toBe(403);
    expect((await script.post("/api/v1/me/sessions/revoke-others")).status).toBe(403);
    expect((await script.delete(`/api/v1/me/sessions/${laptopId}`)).status).toBe(403);
    expect((await laptop.get("/api/v1/me")).status).toBe(200);
  });

  it("signs out everywhere else, in every workspace, and keeps the current session", async () => {
    const ws = await createSignInWorkspace(runtime);
    const second = await createTestWorkspace(runtime.database.db);
    await createMember(runtime.database.db, { workspaceId: second.workspace.id, userId: ws.agent.user.id });
    const here = await browser(ws.agent.user.email);
    const elsewhere = [await browser(ws.agent.user.email), await browser(ws.agent.user.email, SAFARI_IPHONE)];
    // One of the others works in the second workspace.
    expect((await elsewhere[1]!.post("/api/auth/switch-workspace", { workspaceId: second.workspace.id })).status).toBe(
      200,
    );
    const colleague = await browser(ws.admin.user.email);
    const otherIds = await Promise.all(elsewhere.map(currentId));

    const res = await here.post("/api/v1/me/sessions/revoke-others");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 2 });
    for (const other of elsewhere) expect((await other.get("/api/v1/me")).status).toBe(401);
    expect((await here.get("/api/v1/me")).status).toBe(200);
    expect((await colleague.get("/api/v1/me")).status).toBe(200);
    expect(disconnected).toEqual(expect.arrayContaining(otherIds.map(rooms.session)));
    expect(await sessionsOf(here)).toHaveLength(1);
  });

  it("signs the current session out when it is the one revoked", async () => {
    const ws = await createSignInWorkspace(runtime);
    const client = await browser(ws.agent.user.email);
    const res = await client.delete(`/api/v1/me/sessions/${await currentId(client)}`);
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie().join(";")).toMatch(/tandem_session=;/);
    expect((await client.get("/api/v1/me")).status).toBe(401);
  });
});

describe("session lifetime", () => {
  it("slides with use but ends 90 days after sign-in, even when used every day", async () => {
    const ws = await createSignInWorkspace(runtime);
    const client = await browser(ws.agent.user.email);
    vi.useFakeTimers({ toFake: ["Date"] });
    const signedInAt = Date.now();

    let lastOk = 0;
    for (let day = 1; day <= 91; day++) {
      vi.setSystemTime(signedInAt + day * DAY);
      const res = await client.get("/api/v1/me");
      if (res.status !== 200) {
        expect(res.status).toBe(401);
        break;
      }
      lastOk = day;
    }
    expect(lastOk).toBe(89);
  });

  it("renews the cookies when the expiry slides, never past the absolute lifetime", async () => {
    const ws = await createSignInWorkspace(runtime);
    const client = await browser(ws.agent.user.email);
    vi.useFakeTimers({ toFake: ["Date"] });
    const signedInAt = Date.now();
    for (const day of [2, 22, 42, 62]) {
      vi.setSystemTime(signedInAt + day * DAY);
      const res = await client.get("/api/v1/me");
      expect(res.status).toBe(200);
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith("tandem_session="));
      const expires = new Date(/Expires=([^;]+)/i.exec(cookie ?? "")?.[1] ?? 0).getTime();
      // Cookie dates have a precision of one second.
      expect(Math.abs(expires - (signedInAt + Math.min(day + 30, 90) * DAY))).toBeLessThan(2_000);
    }
    // Already expiring at the end of its lifetime: nothing left to renew.
    vi.setSystemTime(signedInAt + 80 * DAY);
    const late = await client.get("/api/v1/me");
    expect(late.status).toBe(200);
    expect(late.headers.getSetCookie()).toEqual([]);
  });

  it("ends a session unused for 30 days", async () => {
    const ws = await createSignInWorkspace(runtime);
    const client = await browser(ws.agent.user.email);
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 30 * DAY + 60_000);
    expect((await client.get("/api/v1/me")).status).toBe(401);
  });
});

describe("workspaces", () => {
  async function memberOfTwo() {
    const ws = await createSignInWorkspace(runtime);
    const second = await createSignInWorkspace(runtime);
    await createMember(runtime.database.db, {
      workspaceId: second.workspace.id,
      userId: ws.agent.user.id,
      role: "ADMIN",
    });
    return { ws, second };
  }

  it("lists the caller's workspaces with their role in each", async () => {
    const { ws, second } = await memberOfTwo();
    const client = await browser(ws.agent.user.email);
    const res = await client.get("/api/v1/me/workspaces");
    expect(res.status).toBe(200);
    const { data } = await res.json();
    expect(data).toHaveLength(2);
    expect(data).toEqual(
      expect.arrayContaining([
        { id: ws.workspace.id, name: ws.workspace.name, role: "AGENT", current: true },
        { id: second.workspace.id, name: second.workspace.name, role: "ADMIN", current: false },
      ]),
    );
  });

  it("switches: a rotated session (new cookie and CSRF token) in the other workspace; the old one ends", async () => {
    const { ws, second } = await memberOfTwo();
    const client = await browser(ws.agent.user.email);
    const before = client.sameBrowserOn(app);
    const oldId = await currentId(client);
    const oldCsrf = client.csrfToken;

    const res = await client.post("/api/auth/switch-workspace", { workspaceId: second.workspace.id });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ workspace: { id: second.workspace.id }, role: "ADMIN" });
    expect(body.csrfToken).not.toBe(oldCsrf);
    client.csrfToken = body.csrfToken;

    expect(await (await client.get("/api/v1/me")).json()).toMatchObject({
      workspace: { id: second.workspace.id },
      role: "ADMIN",
    });
    // The old cookie is gone, and its sockets (in the first workspace's rooms) were disconnected.
    expect((await before.get("/api/v1/me")).status).toBe(401);
    expect(disconnected).toContain(rooms.session(oldId));
    // The new session keeps the old one's start: switching does not extend the absolute lifetime.
    const [now] = await sessionsOf(client);
    expect(now).toMatchObject({ current: true, workspace: { id: second.workspace.id } });
    expect((await client.post("/api/v1/tokens", { name: "after switch" })).status).toBe(201);
  });

  it("answers 404 for a workspace the caller is not a member of, and changes nothing", async () => {
    const { ws } = await memberOfTwo();
    const foreign = await createTestWorkspace(runtime.database.db);
    const client = await browser(ws.agent.user.email);
    const res = await client.post("/api/auth/switch-workspace", { workspaceId: foreign.workspace.id });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("workspace_not_found");
    expect(await (await client.get("/api/v1/me")).json()).toMatchObject({ workspace: { id: ws.workspace.id } });
  });

  it("needs the CSRF token, and a session (not an API token)", async () => {
    const { ws, second } = await memberOfTwo();
    const client = await browser(ws.agent.user.email);
    const forged = await client.request(
      "POST",
      "/api/auth/switch-workspace",
      { workspaceId: second.workspace.id },
      { "x-csrf-token": "forged" },
    );
    expect(forged.status).toBe(403);
    const { token } = await (await client.post("/api/v1/tokens", { name: "script" })).json();
    const bearer = TestClient.bearer(app, token);
    expect((await bearer.post("/api/auth/switch-workspace", { workspaceId: second.workspace.id })).status).toBe(403);
  });

  it("signs in to the workspace used last, or the oldest membership when that one is gone", async () => {
    const { ws, second } = await memberOfTwo();
    // Never switched: the oldest membership.
    const first = await browser(ws.agent.user.email);
    expect(await (await first.get("/api/v1/me")).json()).toMatchObject({ workspace: { id: ws.workspace.id } });
    expect((await first.post("/api/auth/switch-workspace", { workspaceId: second.workspace.id })).status).toBe(200);
    expect((await first.post("/api/auth/sign-out")).status).toBe(204);

    const again = await browser(ws.agent.user.email);
    expect(await (await again.get("/api/v1/me")).json()).toMatchObject({ workspace: { id: second.workspace.id } });

    // Removed from the second workspace: the next sign-in falls back to the first.
    const owner = await browser(second.owner.user.email);
    const members = (await (await owner.get("/api/v1/members")).json()) as { data: { id: string; email: string }[] };
    const membership = members.data.find((m) => m.email === ws.agent.user.email)!;
    expect((await owner.delete(`/api/v1/members/${membership.id}`)).status).toBe(204);
    const fallback = await browser(ws.agent.user.email);
    expect(await (await fallback.get("/api/v1/me")).json()).toMatchObject({ workspace: { id: ws.workspace.id } });
  });
});

describe("PATCH /api/v1/me", () => {
  it("renames the signed-in person everywhere they appear; a blank name or an API token changes nothing", async () => {
    const ws = await createSignInWorkspace(runtime);
    const laptop = await browser(ws.agent.user.email);
    const before = (await (await laptop.get("/api/v1/me")).json()).user.name;

    const blank = await laptop.patch("/api/v1/me", { name: "   " });
    expect(blank.status).toBe(400);
    expect((await blank.json()).error.details).toEqual([
      expect.objectContaining({ path: "name", message: "enter your name" }),
    ]);
    expect((await laptop.patch("/api/v1/me", { name: "Ana", email: "x@y.z" })).status).toBe(400);
    const { token } = await (await laptop.post("/api/v1/tokens", { name: "script" })).json();
    expect((await TestClient.bearer(app, token).patch("/api/v1/me", { name: "Script" })).status).toBe(403);
    expect((await (await laptop.get("/api/v1/me")).json()).user.name).toBe(before);

    const renamed = await laptop.patch("/api/v1/me", { name: "  Ana Agent  " });
    expect(renamed.status).toBe(200);
    expect(await renamed.json()).toEqual({ id: ws.agent.user.id, email: ws.agent.user.email, name: "Ana Agent" });
    expect((await (await laptop.get("/api/v1/me")).json()).user.name).toBe("Ana Agent");
    // Teammates see the new name in the members list.
    const owner = await browser(ws.owner.user.email);
    const members = await (await owner.get("/api/v1/members")).json();
    expect(JSON.stringify(members)).toContain("Ana Agent");
  });
});
