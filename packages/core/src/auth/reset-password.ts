import type { ResetPasswordInput } from "@tandem/contracts";
import { type Db, members, passwordResets, users } from "@tandem/db";
import { and, eq, gt, type SQL } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { DomainError } from "../errors.ts";
import type { Logger } from "../logger.ts";
import type { MailDeps } from "../mail/queue-email.ts";
import { addressBucket } from "../net/client-address.ts";
import type { RateLimiter, RateLimitRule } from "../rate-limit/limiter.ts";
import type { RealtimePublisher } from "../realtime.ts";
import { hashPassword, normalizeEmail, sha256 } from "./crypto.ts";
import { queuePasswordChangedMail } from "./password-changed-mail.ts";
import { revokeUserSessions, type SessionDeps } from "./sessions.ts";

/** Wrong or stale reset links per client address (the tokens themselves are 256-bit random). */
export const RESET_LINK_LIMIT: RateLimitRule = { limit: 30, windowMs: 15 * 60 * 1000 };

const invalidLink = () =>
  new DomainError("password_reset_not_found", "This link is invalid, expired or already used. Ask for a new one.");

async function checkLimit(limiter: RateLimiter, ip: string | undefined) {
  const state = await limiter.peek(`password-reset:link:${addressBucket(ip)}`, RESET_LINK_LIMIT);
  if (!state.allowed) {
    throw new DomainError("rate_limited", "Too many attempts. Try again later.", {
      retryAfterSeconds: state.retryAfterSeconds,
    });
  }
}

const countFailure = (limiter: RateLimiter, ip: string | undefined) =>
  limiter.hit(`password-reset:link:${addressBucket(ip)}`, RESET_LINK_LIMIT);

/** What a reset link is for (the page shows the address and asks for the new password). */
export async function getPasswordReset(
  deps: { db: Db; limiter: RateLimiter },
  input: { token: string; ip?: string | undefined },
): Promise<{ email: string; expiresAt: string }> {
  await checkLimit(deps.limiter, input.ip);
  const [row] = await deps.db
    .select({ email: users.email, expiresAt: passwordResets.expiresAt })
    .from(passwordResets)
    .innerJoin(users, eq(users.id, passwordResets.userId))
    .where(and(eq(passwordResets.tokenHash, sha256(input.token)), gt(passwordResets.expiresAt, new Date())))
    .limit(1);
  if (!row) {
    await countFailure(deps.limiter, input.ip);
    throw invalidLink();
  }
  return { email: row.email, expiresAt: row.expiresAt.toISOString() };
}

/**
 * Sets a new password with a mailed link. The link is used up by the same statement that checks it
 * (delete … returning), so two concurrent uses cannot both succeed. Every session of the user ends
 * (the person signs in again with the new password), the user's other links stop working, each of
 * their workspaces gets an audit row, and the address is told by mail.
 */
export async function resetPassword(
  deps: { db: Db; log: Logger; limiter: RateLimiter; mail: MailDeps; realtime?: RealtimePublisher | undefined },
  input: ResetPasswordInput & { ip?: string | undefined; userAgent?: string | undefined },
): Promise<void> {
  await checkLimit(deps.limiter, input.ip);
  const tokenHash = sha256(input.token);
  const live = and(eq(passwordResets.tokenHash, tokenHash), gt(passwordResets.expiresAt, new Date()));
  // A cheap look first: a wrong link costs no password hash, and the hash is computed outside the
  // transaction (on the embedded database one open transaction holds every other query).
  const [known] = await deps.db.select({ id: passwordResets.id }).from(passwordResets).where(live).limit(1);
  const user = known ? await spendLink(deps, input, live, await hashPassword(input.password)) : null;
  if (!user) {
    await countFailure(deps.limiter, input.ip);
    throw invalidLink();
  }
  // Whoever forgot a password has usually failed to sign in a few times: the new one must work now,
  // not after the sign-in lock expires. (The key is sign-in's per-account key, see signIn.)
  await deps.limiter.reset(`login:email:${normalizeEmail(user.email)}`);
  await queuePasswordChangedMail({ ...deps.mail, log: deps.log }, user, { how: "reset", ip: input.ip });
}

/** In one transaction: uses the link up (null when a concurrent request took it first), sets the password, ends every session, audits. */
async function spendLink(
  deps: { db: Db; log: Logger; realtime?: RealtimePublisher | undefined },
  input: { ip?: string | undefined; userAgent?: string | undefined },
  live: SQL | undefined,
  passwordHash: string,
) {
  // The ended sessions' sockets are disconnected once the transaction has committed (see afterCommit).
  const committed: (() => void)[] = [];
  const user = await deps.db.transaction(async (tx) => {
    const db = tx as unknown as Db;
    const [used] = await db.delete(passwordResets).where(live).returning({ userId: passwordResets.userId });
    if (!used) return null;
    const [updated] = await db
      .update(users)
      .set({ passwordHash })
      .where(eq(users.id, used.userId))
      .returning({ id: users.id, email: users.email, name: users.name });
    await db.delete(passwordResets).where(eq(passwordResets.userId, used.userId));
    await revokeUserSessions({ db, realtime: deps.realtime, afterCommit: committed } as SessionDeps, used.userId);
    const memberships = await db.select().from(members).where(eq(members.userId, used.userId));
    for (const m of memberships) {
      await recordAudit(
        {
          db,
          workspaceId: m.workspaceId,
          actor: { type: "user", userId: m.userId, memberId: m.id, role: m.role },
          log: deps.log,
          ip: input.ip,
          userAgent: input.userAgent,
        },
        { action: "user.reset_password", entityType: "user", entityId: m.userId },
      );
    }
    return updated ?? null;
  });
  for (const effect of committed) effect();
  return user;
}
