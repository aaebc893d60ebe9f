/**
 * The `send-email` job over real SMTP: nodemailer's SMTP transport against the simulator's catcher
 * (smtp-server), parsed back into its mailbox. Retry decisions are checked by calling the handler
 * with explicit attempt numbers; one case runs the real embedded queue end to end.
 */
import { invitations, jobs } from "@tandem/db";
import { createTestWorkspace } from "@tandem/db/testing";
import { Mailbox, type SmtpCatcher, startSmtpCatcher } from "@tandem/simulator";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { attachTestQueue, createTestRuntime } from "../../../../tests/support/runtime.ts";
import type { AppJobDeps } from "../app-deps.ts";
import { routeMailToSimulator } from "../config.ts";
import { decideAfterFailure } from "../jobs/backoff.ts";
import type { JobContext } from "../jobs/define-job.ts";
import { isRetryable } from "../jobs/errors.ts";
import { silentLogger } from "../logger.ts";
import type { Runtime } from "../runtime.ts";
import { queueEmail } from "./queue-email.ts";
import { sendEmail } from "./send-email.ts";
import { type MailMessage, sealMail } from "./templates.ts";

const mailbox = new Mailbox();
let catcher: SmtpCatcher;
let runtime: Runtime;

beforeAll(async () => {
  catcher = await startSmtpCatcher(mailbox, { port: 0 });
  runtime = await createTestRuntime({ APP_URL: "https://tandem.example.com" });
  routeMailToSimulator(runtime.config, catcher.port);
});
afterEach(() => {
  mailbox.reset();
});
afterAll(async () => {
  await runtime.queue?.stop({ timeoutMs: 1_000 });
  await runtime.close();
  await catcher.close();
});

const resetMail = (link = "https://tandem.example.com/reset-password/pwr_secret-token"): MailMessage => ({
  template: "password-reset",
  name: "Ada",
  link,
  expiresInMinutes: 60,
  requestedIp: "203.0.113.7",
});

function jobCtx(attempt = 1, maxAttempts = sendEmail.retry.attempts): JobContext<AppJobDeps> {
  return {
    db: runtime.database.db,
    config: runtime.config,
    keyring: runtime.keyring,
    realtime: runtime.realtime,
    limiter: runtime.limiter,
    channels: runtime.channels,
    queue: undefined as never,
    jobId: `test-${attempt}`,
    jobKey: null,
    name: sendEmail.name,
    attempt,
    maxAttempts,
    log: silentLogger,
    signal: new AbortController().signal,
  };
}

const send = async (
  to: string,
  message: MailMessage,
  attempt?: number,
  invitation?: { id: string; tokenHash: string },
) =>
  sendEmail.handle(
    { to, message: sealMail(runtime.keyring, message), ...(invitation ? { invitation } : {}) },
    jobCtx(attempt),
  );

async function pendingInvitation() {
  const ws = await createTestWorkspace(runtime.database.db);
  const [row] = await runtime.database.db
    .insert(invitations)
    .values({
      workspaceId: ws.workspace.id,
      email: `invitee.${ws.workspace.id}@example.com`,
      role: "AGENT",
      tokenHash: `hash-${ws.workspace.id}`,
      expiresAt: new Date(Date.now() + 86_400_000),
      emailStatus: "queued",
    })
    .returning();
  return row!;
}

const invitationRow = async (id: string) =>
  (await runtime.database.db.select().from(invitations).where(eq(invitations.id, id)))[0]!;

describe("send-email over SMTP", () => {
  it("delivers plain text and HTML with the app's name and links, through the real queue, the link sealed at rest", async () => {
    const queue = attachTestQueue(runtime);
    await queue.start();
    const link = "https://tandem.example.com/reset-password/pwr_only-in-the-mail";
    expect(await queueEmail(runtime, "ada@example.com", resetMail(link), { jobId: "email:test-reset" })).toBe(true);

    await vi.waitFor(() => expect(mailbox.list()).toHaveLength(1), { timeout: 15_000 });
    const [mail] = mailbox.list();
    expect(mail).toMatchObject({
      envelope: { from: "no-reply@tandem.local", to: ["ada@example.com"] },
      from: "Tandem <no-reply@tandem.local>",
      to: ["ada@example.com"],
      subject: "Reset your Tandem password",
    });
    expect(mail!.text).toContain("Hello Ada,");
    expect(mail!.text).toContain(link);
    expect(mail!.text).toContain("203.0.113.7");
    expect(mail!.html).toContain(`href="${link}"`);
    expect(mail!.links).toEqual([link, "https://tandem.example.com"]);

    // The stored job never held the link in clear.
    const [job] = await runtime.database.db.select().from(jobs).where(eq(jobs.jobKey, "email:test-reset"));
    expect(job).toBeDefined();
    expect(JSON.stringify(job!.payload)).not.toContain("only-in-the-mail");
    await queue.stop({ timeoutMs: 1_000 });
  });

  it("retries a temporary SMTP refusal (451) and delivers on the next attempt", async () => {
    mailbox.fault = { kind: "temporary", times: 1 };
    const error = await send("bo@example.com", resetMail(), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(isRetryable(error)).toBe(true);
    expect((error as Error).message).toMatch(/451/);
    expect(decideAfterFailure(sendEmail.retry.backoff, 1, sendEmail.retry.attempts, error)).toMatchObject({
      retry: true,
    });
    expect(mailbox.list()).toHaveLength(0);

    await send("bo@example.com", resetMail(), 2);
    expect(mailbox.list().map((m) => m.to)).toEqual([["bo@example.com"]]);
  });

  it("retries when the server cannot be reached", async () => {
    const config = structuredClone(runtime.config.mail!);
    const closed = await startSmtpCatcher(new Mailbox(), { port: 0 });
    await closed.close();
    const saved = runtime.config.mail;
    runtime.config.mail = { ...config, smtp: { ...config.smtp, port: closed.port } };
    try {
      const error = await send("cy@example.com", resetMail(), 1).catch((e: unknown) => e);
      expect(isRetryable(error)).toBe(true);
    } finally {
      runtime.config.mail = saved;
    }
  });

  it("gives up at once on a permanent refusal (550) and shows it on the invitation", async () => {
    const invitation = await pendingInvitation();
    mailbox.fault = { kind: "permanent", times: 1 };
    const error = await send(invitation.email, inviteMail(), 1, {
      id: invitation.id,
      tokenHash: invitation.tokenHash,
    }).catch((e: unknown) => e);
    expect(isRetryable(error)).toBe(false);
    expect(await invitationRow(invitation.id)).toMatchObject({
      emailStatus: "failed",
      emailError: expect.stringContaining("550"),
    });
  });

  it("marks the invitation failed after the last attempt of temporary refusals, and sent once delivered", async () => {
    const invitation = await pendingInvitation();
    const ref = { id: invitation.id, tokenHash: invitation.tokenHash };
    mailbox.fault = { kind: "temporary", times: 2 };
    await expect(send(invitation.email, inviteMail(), 1, ref)).rejects.toThrow(/451/);
    expect((await invitationRow(invitation.id)).emailStatus).toBe("queued");
    await expect(send(invitation.email, inviteMail(), sendEmail.retry.attempts, ref)).rejects.toThrow(/451/);
    expect(await invitationRow(invitation.id)).toMatchObject({ emailStatus: "failed" });

    // Sent again later (an admin retries the job): delivered, and the row says so.
    await send(invitation.email, inviteMail(), 1, ref);
    expect(await invitationRow(invitation.id)).toMatchObject({ emailStatus: "sent", emailError: null });
    expect((await invitationRow(invitation.id)).emailedAt).toBeInstanceOf(Date);
  });

  it("sends with credentials through SMTP_URL, the way an operator's server is configured", async () => {
    const saved = runtime.config.mail;
    runtime.config.mail = {
      kind: "smtp",
      from: "Acme Support <support@acme.example>",
      smtp: { url: `smtp://mailer:s3cret@127.0.0.1:${catcher.port}`, ignoreTLS: true },
    };
    try {
      await send("dee@example.com", resetMail(), 1);
    } finally {
      runtime.config.mail = saved;
    }
    expect(mailbox.list()[0]).toMatchObject({ from: "Acme Support <support@acme.example>", to: ["dee@example.com"] });
  });
});

const inviteMail = (): MailMessage => ({
  template: "invitation",
  workspaceName: "Acme <Support>",
  inviterName: "Ada",
  role: "AGENT",
  link: "https://tandem.example.com/invite/inv_x",
  expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
});
