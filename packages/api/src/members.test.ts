import { can, type Runtime } from "@tandem/core";
import { auditLogs } from "@tandem/db";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";
import { audienceOf } from "./stacks/audience.ts";

let runtime: Runtime;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  runtime = await createTestRuntime();
  app = createApp(runtime);
});
afterAll(() => runtime.close());

async function signedIn(email: string) {
  const client = new TestClient(app);
  expect((await client.signIn(email, TEST_PASSWORD)).status).toBe(200);
  return client;
}

describe("members API", () => {
  it("lists members and pending invitations", async () => {
    const ws = await createSignInWorkspace(runtime);
    const admin = await signedIn(ws.admin.user.email);
    await admin.post("/api/v1/members", { email: "new.agent@example.com", role: "AGENT" });
    const body = await (await admin.get("/api/v1/members")).json();
    expect(body.data.map((m: { role: string }) => m.role).sort()).toEqual(["ADMIN", "AGENT", "OWNER"]);
    expect(body.invitations).toEqual([expect.objectContaining({ email: "new.agent@example.com", role: "AGENT" })]);
  });

  it("invites by email; the invitee accepts, signs in and lands in the workspace", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    const res = await owner.post("/api/v1/members", { email: "Invitee@Example.com", role: "ADMIN" });
    expect(res.status).toBe(201);
    const { inviteUrl, invitation } = await res.json();
    expect(invitation).toMatchObject({ email: "invitee@example.com", role: "ADMIN" });
    const token = decodeURIComponent(inviteUrl.split("/invite/")[1]);

    const info = await app.request(`/api/auth/invitations/${encodeURIComponent(token)}`);
    expect(await info.json()).toMatchObject({ email: "invitee@example.com", role: "ADMIN", existingAccount: false });

    const invitee = new TestClient(app);
    const accepted = await invitee.post("/api/auth/invitations/accept", {
      token,
      name: "Ivy",
      password: "a-good-password",
    });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ role: "ADMIN", workspace: { id: ws.workspace.id } });
    expect((await new TestClient(app).signIn("invitee@example.com", "a-good-password")).status).toBe(200);

    // The link works once.
    const again = await new TestClient(app).post("/api/auth/invitations/accept", {
      token,
      password: "a-good-password",
    });
    expect(again.status).toBe(404);
    const audit = await runtime.database.db.select().from(auditLogs).where(eq(auditLogs.workspaceId, ws.workspace.id));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["member.invite", "member.join"]));
  });

  it("refuses to invite an existing member", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    const res = await owner.post("/api/v1/members", { email: ws.agent.user.email, role: "AGENT" });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("already_member");
  });

  it("changes roles, and an admin cannot make or unmake owners", async () => {
    const ws = await createSignInWorkspace(runtime);
    const admin = await signedIn(ws.admin.user.email);
    const promoted = await admin.patch(`/api/v1/members/${ws.agent.member.id}`, { role: "ADMIN" });
    expect(promoted.status).toBe(200);
    expect((await promoted.json()).role).toBe("ADMIN");
    expect((await admin.patch(`/api/v1/members/${ws.agent.member.id}`, { role: "OWNER" })).status).toBe(403);
    expect((await admin.patch(`/api/v1/members/${ws.owner.member.id}`, { role: "AGENT" })).status).toBe(403);
    expect((await admin.delete(`/api/v1/members/${ws.owner.member.id}`)).status).toBe(403);
  });

  it("keeps the last owner: neither demoted nor removed", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    const demote = await owner.patch(`/api/v1/members/${ws.owner.member.id}`, { role: "ADMIN" });
    expect(demote.status).toBe(409);
    expect((await demote.json()).error.code).toBe("last_owner");
    expect((await owner.delete(`/api/v1/members/${ws.owner.member.id}`)).status).toBe(409);

    // With a second owner, the first may step down.
    expect((await owner.patch(`/api/v1/members/${ws.admin.member.id}`, { role: "OWNER" })).status).toBe(200);
    expect((await owner.patch(`/api/v1/members/${ws.owner.member.id}`, { role: "ADMIN" })).status).toBe(200);
  });

  it("removes a member, ending their sessions", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    const agent = await signedIn(ws.agent.user.email);
    expect((await owner.delete(`/api/v1/members/${ws.agent.member.id}`)).status).toBe(204);
    expect((await agent.get("/api/v1/me")).status).toBe(401);
    const list = await (await owner.get("/api/v1/members")).json();
    expect(list.data).toHaveLength(2);
  });

  it("revokes a pending invitation", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = await signedIn(ws.owner.user.email);
    const { invitation, inviteUrl } = await (
      await owner.post("/api/v1/members", { email: "x@example.com", role: "AGENT" })
    ).json();
    expect((await owner.delete(`/api/v1/invitations/${invitation.id}`)).status).toBe(204);
    const token = inviteUrl.split("/invite/")[1];
    expect((await app.request(`/api/auth/invitations/${token}`)).status).toBe(404);
  });

  it("treats another workspace's member as not found", async () => {
    const mine = await createSignInWorkspace(runtime);
    const theirs = await createSignInWorkspace(runtime);
    const owner = await signedIn(mine.owner.user.email);
    const res = await owner.patch(`/api/v1/members/${theirs.agent.member.id}`, { role: "ADMIN" });
    expect(res.status).toBe(404);
    expect((await res.json()).error.code).toBe("member_not_found");
    expect((await owner.delete(`/api/v1/members/${theirs.agent.member.id}`)).status).toBe(404);
    expect((await owner.delete(`/api/v1/invitations/inv_unknown`)).status).toBe(404);
  });
});

describe("role policy", () => {
  it("answers 403 to an AGENT on every mutating route reserved to OWNER/ADMIN", async () => {
    const ws = await createSignInWorkspace(runtime);
    const agent = await signedIn(ws.agent.user.email);
    const doc = await (await app.request("/api/v1/openapi.json")).json();
    const checked: string[] = [];
    for (const [path, operations] of Object.entries(
      doc.paths as Record<string, Record<string, { "x-permission"?: string }>>,
    )) {
      for (const [method, op] of Object.entries(operations)) {
        if (!["post", "put", "patch", "delete"].includes(method)) continue;
        const permission = op["x-permission"];
        if (!path.startsWith("/api/v1/")) continue;
        // Platforms' webhooks (LINE's) are authenticated by their signatures, and the public chat routes by
        // a chatbot's key or a visitor token (public-chat.test.ts), not by a member's role.
        if (["webhooks", "public"].includes(audienceOf(path.replace(/\{[^}]+\}/g, "x")))) continue;
        expect(permission, `${method.toUpperCase()} ${path} declares its permission`).toBeTruthy();
        if (can("AGENT", permission as never)) continue;
        const url = path.replace(/\{[^}]+\}/g, "xxx_does_not_exist");
        const res = await agent.request(method.toUpperCase(), url, {});
        expect(res.status, `${method.toUpperCase()} ${path}`).toBe(403);
        checked.push(`${method} ${path}`);
      }
    }
    expect(checked.length).toBeGreaterThanOrEqual(4);
  });

  it("lets an AGENT read its own account", async () => {
    const ws = await createSignInWorkspace(runtime);
    const agent = await signedIn(ws.agent.user.email);
    const me = await (await agent.get("/api/v1/me")).json();
    expect(me.permissions).toContain("conversations.work");
    expect(me.permissions).not.toContain("members.manage");
    expect((await agent.get("/api/v1/members")).status).toBe(403);
  });
});
