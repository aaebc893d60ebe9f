/**
 * Account basics over the HTTP API with mail on: change password, forgot / reset password by mail,
 * invitations by mail. Mail goes through the real `send-email` job and nodemailer's SMTP transport
 * to the simulator's SMTP catcher, and the tests read it back from the catcher's mailbox.
 */

import { type JobQueue, PASSWORD_RESET_LIMITS, type Runtime, routeMailToSimulator } from "@tandem/core";
import { auditLogs, invitations, passwordResets, sessions, users } from "@tandem/db";
import { Mailbox, type SmtpCatcher, startSmtpCatcher } from "@tandem/simulator";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { TestClient } from "../../../tests/support/api-client.ts";
import { attachTestQueue, createTestRuntime } from "../../../tests/support/runtime.ts";
import { createSignInWorkspace, TEST_PASSWORD } from "../../../tests/support/workspace.ts";
import { createApp } from "./app.ts";
import { loggablePath } from "./middleware/request-context.ts";

const mailbox = new Mailbox();
let catcher: SmtpCatcher;
let runtime: Runtime;
let queue: JobQueue;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  catcher = await startSmtpCatcher(mailbox, { port: 0 });
  runtime = await createTestRuntime();
  routeMailToSimulator(runtime.config, catcher.port);
  queue = attachTestQueue(runtime);
  await queue.start();
  app = createApp(runtime);
});
afterAll(async () => {
  await queue.stop({ timeoutMs: 1_000 });
  await runtime.close();
  await catcher.close();
});

const NEW_PASSWORD = "a brand new passphrase";
let ipCounter = 0;
/** Each test writes from its own client address, so per-address limits of one test do not reach another. */
const newIp = () => `198.51.100.${++ipCounter}`;

/** A POST from a browser on `ip` (the API reads the address from the socket). */
function postFrom(ip: string, path: string, body: unknown) {
  return app.request(
    `http://localhost:3000${path}`,
    {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:3000" },
      body: JSON.stringify(body),
    },
    { incoming: { socket: { remoteAddress: ip } } },
  );
}

const forgot = (email: string, ip = newIp()) => postFrom(ip, "/api/auth/password/forgot", { email });

async function mailTo(address: string, subject: RegExp, count = 1) {
  return vi.waitFor(
    () => {
      const found = mailbox.list().filter((m) => m.to.includes(address.toLowerCase()) && subject.test(m.subject));
      expect(found.length).toBeGreaterThanOrEqual(count);
      return found;
    },
    { timeout: 15_000 },
  );
}

const linkIn = (mail: { links: string[] }, path: string) => {
  const link = mail.links.find((l) => l.includes(path));
  expect(link).toBeDefined();
  return link!;
};
const tokenOf = (link: string, path: string) => decodeURIComponent(link.split(path)[1]!);

/** Every job the queue has now finishes (mail for an unknown address produces none). */
async function drained() {
  await vi.waitFor(
    async () => {
      const { waiting, active, delayed } = await queue.counts({ system: true });
      expect(waiting + active + delayed).toBe(0);
    },
    { timeout: 15_000 },
  );
}

describe("change password", () => {
  it("needs the current password, ends every other session, keeps this one, audits and tells by mail", async () => {
    const ws = await createSignInWorkspace(runtime);
    const email = ws.admin.user.email;
    const here = new TestClient(app);
    const elsewhere = new TestClient(app);
    await here.signIn(email, TEST_PASSWORD);
    await elsewhere.signIn(email, TEST_PASSWORD);

    const wrong = await here.post("/api/auth/password", { currentPassword: "not it", newPassword: NEW_PASSWORD });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.code).toBe("invalid_credentials");

    const tooShort = await here.post("/api/auth/password", { currentPassword: TEST_PASSWORD, newPassword: "short" });
    expect(tooShort.status).toBe(400);
    expect((await tooShort.json()).error.details[0].path).toBe("newPassword");

    const ok = await here.post("/api/auth/password", { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
    expect(ok.status).toBe(204);

    expect((await here.get("/api/v1/me")).status).toBe(200);
    expect((await elsewhere.get("/api/v1/me")).status).toBe(401);
    expect((await new TestClient(app).signIn(email, TEST_PASSWORD)).status).toBe(401);
    expect((await new TestClient(app).signIn(email, NEW_PASSWORD)).status).toBe(200);

    const audit = await runtime.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "user.change_password")));
    expect(audit).toMatchObject([{ entityId: ws.admin.user.id, actorUserId: ws.admin.user.id }]);
    expect(JSON.stringify(audit)).not.toContain(NEW_PASSWORD);

    const [notice] = await mailTo(email, /password was changed/);
    expect(notice!.text).toContain("was changed");
    expect(notice!.links).toContain("http://localhost:3000/forgot-password");
  });

  it("counts wrong current passwords as sign-in guesses: 429 with Retry-After after five", async () => {
    const ws = await createSignInWorkspace(runtime);
    const [before] = await runtime.database.db.select().from(users).where(eq(users.id, ws.agent.user.id));
    const client = new TestClient(app);
    await client.signIn(ws.agent.user.email, TEST_PASSWORD);
    for (let i = 0; i < 5; i++) {
      const res = await client.post("/api/auth/password", { currentPassword: `guess-${i}`, newPassword: NEW_PASSWORD });
      expect(res.status).toBe(401);
    }
    const limited = await client.post("/api/auth/password", {
      currentPassword: TEST_PASSWORD,
      newPassword: NEW_PASSWORD,
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // Nothing changed, and the guesses used up the account's sign-in budget too (one counter per account).
    const [after] = await runtime.database.db.select().from(users).where(eq(users.id, ws.agent.user.id));
    expect(after!.passwordHash).toBe(before!.passwordHash);
    expect((await new TestClient(app).signIn(ws.agent.user.email, TEST_PASSWORD)).status).toBe(429);
  });

  it("is refused without a session: no cookie, a missing CSRF token, or an API token", async () => {
    const ws = await createSignInWorkspace(runtime);
    const body = { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD };
    expect((await new TestClient(app).post("/api/auth/password", body)).status).toBe(401);

    const client = new TestClient(app);
    await client.signIn(ws.owner.user.email, TEST_PASSWORD);
    const noCsrf = await client.request("POST", "/api/auth/password", body, { "x-csrf-token": "" });
    expect(noCsrf.status).toBe(403);

    const created = await client.post("/api/v1/tokens", { name: "script" });
    const { token } = await created.json();
    const viaToken = await TestClient.bearer(app, token).post("/api/auth/password", body);
    expect(viaToken.status).toBe(403);
    expect((await new TestClient(app).signIn(ws.owner.user.email, TEST_PASSWORD)).status).toBe(200);
  });
});

describe("forgot and reset password", () => {
  it("mails a single-use link that sets the password and ends every session", async () => {
    const ws = await createSignInWorkspace(runtime);
    const email = ws.agent.user.email;
    const signedIn = new TestClient(app);
    await signedIn.signIn(email, TEST_PASSWORD);

    expect((await forgot(email.toUpperCase())).status).toBe(202);
    const [mail] = await mailTo(email, /Reset your Tandem password/);
    const link = linkIn(mail!, "/reset-password/");
    expect(link.startsWith("http://localhost:3000/reset-password/")).toBe(true);
    const token = tokenOf(link, "/reset-password/");

    // Only the hash is stored.
    const stored = await runtime.database.db
      .select()
      .from(passwordResets)
      .where(eq(passwordResets.userId, ws.agent.user.id));
    expect(stored).toHaveLength(1);
    expect(stored[0]!.tokenHash).not.toContain(token);
    expect(stored[0]!.expiresAt.getTime() - Date.now()).toBeGreaterThan(59 * 60_000);

    const preview = await app.request(`/api/auth/password/reset/${encodeURIComponent(token)}`);
    expect(preview.status).toBe(200);
    expect(await preview.json()).toMatchObject({ email });

    const ip = newIp();
    const reset = await postFrom(ip, "/api/auth/password/reset", { token, password: NEW_PASSWORD });
    expect(reset.status).toBe(204);
    expect((await signedIn.get("/api/v1/me")).status).toBe(401);
    const left = await runtime.database.db.select().from(sessions).where(eq(sessions.userId, ws.agent.user.id));
    expect(left).toHaveLength(0);
    expect((await new TestClient(app).signIn(email, TEST_PASSWORD)).status).toBe(401);
    expect((await new TestClient(app).signIn(email, NEW_PASSWORD)).status).toBe(200);

    // Used once: the same link is refused afterwards, and changes nothing.
    const again = await postFrom(ip, "/api/auth/password/reset", { token, password: "yet another password" });
    expect(again.status).toBe(404);
    expect((await again.json()).error.code).toBe("password_reset_not_found");
    expect((await new TestClient(app).signIn(email, NEW_PASSWORD)).status).toBe(200);

    const audit = await runtime.database.db
      .select()
      .from(auditLogs)
      .where(and(eq(auditLogs.workspaceId, ws.workspace.id), eq(auditLogs.action, "user.reset_password")));
    expect(audit).toHaveLength(1);
    await mailTo(email, /password was changed/);
  });

  it("lifts the sign-in lock of an account whose password was reset", async () => {
    const ws = await createSignInWorkspace(runtime);
    const email = ws.owner.user.email;
    for (let i = 0; i < 5; i++) await new TestClient(app).signIn(email, `forgotten-${i}`);
    expect((await new TestClient(app).signIn(email, TEST_PASSWORD)).status).toBe(429);

    await forgot(email);
    const token = tokenOf(linkIn((await mailTo(email, /Reset/))[0]!, "/reset-password/"), "/reset-password/");
    expect((await postFrom(newIp(), "/api/auth/password/reset", { token, password: NEW_PASSWORD })).status).toBe(204);
    expect((await new TestClient(app).signIn(email, NEW_PASSWORD)).status).toBe(200);
  });

  it("answers 202 for an unknown address too, and mails nothing", async () => {
    const unknown = `nobody.${Date.now()}@example.com`;
    const res = await forgot(unknown);
    expect(res.status).toBe(202);
    expect(await res.text()).toBe("");
    await drained();
    expect(mailbox.list().filter((m) => m.to.includes(unknown))).toHaveLength(0);
  });

  it("refuses an expired link", async () => {
    const ws = await createSignInWorkspace(runtime);
    const email = ws.owner.user.email;
    await forgot(email);
    const token = tokenOf(linkIn((await mailTo(email, /Reset/))[0]!, "/reset-password/"), "/reset-password/");
    await runtime.database.db
      .update(passwordResets)
      .set({ expiresAt: new Date(Date.now() - 1_000) })
      .where(eq(passwordResets.userId, ws.owner.user.id));

    expect((await app.request(`/api/auth/password/reset/${encodeURIComponent(token)}`)).status).toBe(404);
    const res = await postFrom(newIp(), "/api/auth/password/reset", { token, password: NEW_PASSWORD });
    expect(res.status).toBe(404);
    expect((await new TestClient(app).signIn(email, TEST_PASSWORD)).status).toBe(200);
  });

  it("replaces the older link when a new one is asked for", async () => {
    const ws = await createSignInWorkspace(runtime);
    const email = ws.admin.user.email;
    await forgot(email);
    const first = tokenOf(linkIn((await mailTo(email, /Reset/, 1))[0]!, "/reset-password/"), "/reset-password/");
    await forgot(email);
    const mails = await mailTo(email, /Reset/, 2);
    const second = tokenOf(linkIn(mails[0]!, "/reset-password/"), "/reset-password/");
    expect(second).not.toBe(first);

    const ip = newIp();
    expect((await postFrom(ip, "/api/auth/password/reset", { token: first, password: NEW_PASSWORD })).status).toBe(404);
    expect((await postFrom(ip, "/api/auth/password/reset", { token: second, password: NEW_PASSWORD })).status).toBe(
      204,
    );
  });

  it("rate limits requests per address and per client address, known or not", async () => {
    const ws = await createSignInWorkspace(runtime);
    const email = ws.agent.user.email;
    for (let i = 0; i < PASSWORD_RESET_LIMITS.perEmail.limit; i++) expect((await forgot(email)).status).toBe(202);
    const limited = await forgot(email);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    // The same answer for an address without an account: the limit tells nothing either.
    const unknown = `ghost.${Date.now()}@example.com`;
    for (let i = 0; i < PASSWORD_RESET_LIMITS.perEmail.limit; i++) expect((await forgot(unknown)).status).toBe(202);
    expect((await forgot(unknown)).status).toBe(429);

    const ip = newIp();
    for (let i = 0; i < PASSWORD_RESET_LIMITS.perIp.limit; i++) {
      expect((await forgot(`someone.${i}.${Date.now()}@example.com`, ip)).status).toBe(202);
    }
    expect((await forgot(`one.more.${Date.now()}@example.com`, ip)).status).toBe(429);
    await drained();
  });

  it("rate limits guessing reset links per client address", async () => {
    const ip = newIp();
    for (let i = 0; i < 30; i++) {
      const res = await postFrom(ip, "/api/auth/password/reset", {
        token: `pwr_guess_${i}_xxxxxx`,
        password: NEW_PASSWORD,
      });
      expect(res.status).toBe(404);
    }
    const limited = await postFrom(ip, "/api/auth/password/reset", {
      token: "pwr_guess_last_xxxx",
      password: NEW_PASSWORD,
    });
    expect(limited.status).toBe(429);
  });

  it("says 503 mail_not_configured, whatever the address, when the installation sends no mail", async () => {
    const saved = runtime.config.mail;
    runtime.config.mail = null;
    try {
      const ws = await createSignInWorkspace(runtime);
      for (const email of [ws.owner.user.email, `nobody.${Date.now()}@example.com`]) {
        const res = await forgot(email);
        expect(res.status).toBe(503);
        expect((await res.json()).error.code).toBe("mail_not_configured");
      }
      expect((await (await app.request("/api/health")).json()).mail).toBe(false);
    } finally {
      runtime.config.mail = saved;
    }
    expect((await (await app.request("/api/health")).json()).mail).toBe(true);
  });
});

describe("invitations by mail", () => {
  it("mails the invitation link, which works; the row says it was sent; resending replaces the link", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = new TestClient(app);
    await owner.signIn(ws.owner.user.email, TEST_PASSWORD);
    const invitee = `mailed.${Date.now()}@example.com`;

    const res = await owner.post("/api/v1/members", { email: invitee, role: "AGENT" });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({ emailed: true, invitation: { emailStatus: "queued" } });

    const [mail] = await mailTo(invitee, /Join .* on Tandem/);
    expect(mail!.subject).toBe(`Join ${ws.workspace.name} on Tandem`);
    const link = linkIn(mail!, "/invite/");
    expect(link).toBe(created.inviteUrl);
    await vi.waitFor(async () => {
      const list = await (await owner.get("/api/v1/members")).json();
      expect(list.invitations.find((i: { email: string }) => i.email === invitee)).toMatchObject({
        emailStatus: "sent",
        emailError: null,
      });
    });

    // Resend: a new link in a new mail; the first link stops working.
    const resent = await owner.post(`/api/v1/invitations/${created.invitation.id}/resend`);
    expect(resent.status).toBe(200);
    const again = await resent.json();
    expect(again).toMatchObject({ emailed: true, invitation: { id: created.invitation.id } });
    expect(again.inviteUrl).not.toBe(created.inviteUrl);
    const mails = await mailTo(invitee, /Join/, 2);
    expect(linkIn(mails[0]!, "/invite/")).toBe(again.inviteUrl);
    const oldToken = tokenOf(created.inviteUrl, "/invite/");
    expect((await app.request(`/api/auth/invitations/${encodeURIComponent(oldToken)}`)).status).toBe(404);

    const accepted = await new TestClient(app).post("/api/auth/invitations/accept", {
      token: tokenOf(again.inviteUrl, "/invite/"),
      name: "Mai Led",
      password: NEW_PASSWORD,
    });
    expect(accepted.status).toBe(200);
    const audit = await runtime.database.db
      .select({ action: auditLogs.action })
      .from(auditLogs)
      .where(eq(auditLogs.workspaceId, ws.workspace.id));
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(["member.invite", "member.resend_invitation"]));
  });

  it("shows a mail the server refused on the invitation, with the reason", async () => {
    const ws = await createSignInWorkspace(runtime);
    const owner = new TestClient(app);
    await owner.signIn(ws.owner.user.email, TEST_PASSWORD);
    const invitee = `bounced.${Date.now()}@example.com`;
    mailbox.fault = { kind: "permanent", times: 1, to: invitee };
    const created = await (await owner.post("/api/v1/members", { email: invitee, role: "AGENT" })).json();
    await vi.waitFor(
      async () => {
        const [row] = await runtime.database.db
          .select()
          .from(invitations)
          .where(eq(invitations.id, created.invitation.id));
        expect(row).toMatchObject({ emailStatus: "failed", emailError: expect.stringContaining("550") });
      },
      { timeout: 15_000 },
    );
  });

  it("only hands out the link when the installation sends no mail (as before), and resend gives a new one", async () => {
    const saved = runtime.config.mail;
    runtime.config.mail = null;
    try {
      const ws = await createSignInWorkspace(runtime);
      const owner = new TestClient(app);
      await owner.signIn(ws.owner.user.email, TEST_PASSWORD);
      const invitee = `linkonly.${Date.now()}@example.com`;
      const created = await (await owner.post("/api/v1/members", { email: invitee, role: "AGENT" })).json();
      expect(created).toMatchObject({ emailed: false, invitation: { emailStatus: null } });
      const resent = await (await owner.post(`/api/v1/invitations/${created.invitation.id}/resend`)).json();
      expect(resent).toMatchObject({ emailed: false });
      expect(resent.inviteUrl).not.toBe(created.inviteUrl);
      await drained();
      expect(mailbox.list().filter((m) => m.to.includes(invitee))).toHaveLength(0);
    } finally {
      runtime.config.mail = saved;
    }
  });

  it("refuses resending another workspace's invitation", async () => {
    const a = await createSignInWorkspace(runtime);
    const b = await createSignInWorkspace(runtime);
    const ownerA = new TestClient(app);
    await ownerA.signIn(a.owner.user.email, TEST_PASSWORD);
    const created = await (
      await ownerA.post("/api/v1/members", { email: `x.${Date.now()}@example.com`, role: "AGENT" })
    ).json();
    const ownerB = new TestClient(app);
    await ownerB.signIn(b.owner.user.email, TEST_PASSWORD);
    expect((await ownerB.post(`/api/v1/invitations/${created.invitation.id}/resend`)).status).toBe(404);
  });
});

describe("one-time links in logs", () => {
  it("logs the paths of reset and invitation links without their tokens (ids stay)", () => {
    const token = (prefix: string) => `${prefix}_${"Ab-3_xYz".repeat(5)}123`;
    expect(loggablePath(`/api/auth/password/reset/${token("pwr")}`)).toBe("/api/auth/password/reset/pwr_[redacted]");
    expect(loggablePath(`/api/auth/invitations/${token("inv")}`)).toBe("/api/auth/invitations/inv_[redacted]");
    expect(loggablePath("/api/v1/invitations/inv_01JD3ZK8Q2W7V4M5N6P7R8S9T0/resend")).toBe(
      "/api/v1/invitations/inv_01JD3ZK8Q2W7V4M5N6P7R8S9T0/resend",
    );
  });
});
