import type { ForgotPasswordInput } from "@tandem/contracts";
import { type Db, passwordResets, users } from "@tandem/db";
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { DomainError } from "../errors.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { type MailDeps, mailEnabled, queueEmail } from "../mail/queue-email.ts";
import { addressBucket } from "../net/client-address.ts";
import type { RateLimiter, RateLimitRule } from "../rate-limit/limiter.ts";
import { newOpaqueToken, normalizeEmail, sha256 } from "./crypto.ts";

export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;

/** Requests per address and per client address; every request counts, known address or not. */
export const PASSWORD_RESET_LIMITS = {
  perEmail: { limit: 3, windowMs: 60 * 60 * 1000 },
  perIp: { limit: 20, windowMs: 60 * 60 * 1000 },
} satisfies Record<string, RateLimitRule>;

/**
 * "Forgot password". The request does the same work whatever the address — count it against the
 * limits, store one `create-password-reset` job — so neither the answer nor its timing tells
 * whether an account exists. The job looks the address up and mails a link to an account only.
 * Without any mail transport it is refused with `mail_not_configured` (the same for every address):
 * the person has to ask their workspace owner.
 */
export async function requestPasswordReset(
  deps: { limiter: RateLimiter; mail: MailDeps },
  input: ForgotPasswordInput & { ip?: string | undefined },
): Promise<void> {
  if (!mailEnabled(deps.mail)) {
    throw new DomainError(
      "mail_not_configured",
      "This installation cannot send e-mail. Ask your workspace owner to help you back in.",
    );
  }
  const email = normalizeEmail(input.email);
  // The address first: a client refused for its address creates no per-email entry.
  for (const [key, rule] of [
    [`password-reset:ip:${addressBucket(input.ip)}`, PASSWORD_RESET_LIMITS.perIp],
    [`password-reset:email:${sha256(email)}`, PASSWORD_RESET_LIMITS.perEmail],
  ] as const) {
    const state = await deps.limiter.hit(key, rule);
    if (!state.allowed) {
      throw new DomainError("rate_limited", "Too many reset requests. Try again later.", {
        retryAfterSeconds: state.retryAfterSeconds,
      });
    }
  }
  if (!deps.mail.queue) throw new Error("password resets need the job queue");
  await deps.mail.queue.enqueue(createPasswordReset, { email, ip: input.ip ?? null });
}

/**
 * A new reset link for a user, replacing their older ones; only the SHA-256 of its token is stored.
 * Used by the `create-password-reset` job and by `npm run reset-password` (an operator's way back in
 * for someone when the installation sends no mail).
 */
export async function issuePasswordReset(
  db: Db,
  user: { id: string },
  options: { appUrl: string; ip?: string | null },
): Promise<{ id: string; link: string; expiresAt: Date }> {
  const token = newOpaqueToken("pwr");
  const expiresAt = new Date(Date.now() + PASSWORD_RESET_TTL_MS);
  const row = await db.transaction(async (tx) => {
    await tx.delete(passwordResets).where(eq(passwordResets.userId, user.id));
    const [inserted] = await tx
      .insert(passwordResets)
      .values({ userId: user.id, tokenHash: sha256(token), expiresAt, requestedIp: options.ip ?? null })
      .returning({ id: passwordResets.id });
    return inserted!;
  });
  return { id: row.id, link: `${options.appUrl}/reset-password/${encodeURIComponent(token)}`, expiresAt };
}

export async function findUserByEmail(db: Db, email: string) {
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(sql`lower(${users.email})`, normalizeEmail(email)))
    .limit(1);
  return user ?? null;
}

/** Creates the reset link of a known address and queues its mail. An unknown address ends here, quietly. */
export const createPasswordReset = defineJob({
  name: "create-password-reset",
  schema: z.object({ email: z.string().email().max(320), ip: z.string().max(100).nullable() }),
  retry: { attempts: 5, backoff: { baseMs: 5_000, maxMs: 60_000 } },
  // An account's, not a workspace's (the account may belong to several): listed to operators only.
  system: true,
  handle: async ({ email, ip }, ctx: JobContext<AppJobDeps>) => {
    const user = await findUserByEmail(ctx.db, email);
    if (!user) return ctx.log.info("password reset asked for an address without an account; nothing sent");
    const reset = await issuePasswordReset(ctx.db, user, { appUrl: ctx.config.appUrl, ip });
    const queued = await queueEmail(
      ctx,
      user.email,
      {
        template: "password-reset",
        name: user.name,
        link: reset.link,
        expiresInMinutes: PASSWORD_RESET_TTL_MS / 60_000,
        requestedIp: ip,
      },
      { jobId: `email:${reset.id}` },
    );
    if (!queued) ctx.log.warn("mail was turned off since the reset was requested; no link sent");
  },
});
