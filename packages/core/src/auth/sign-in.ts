import type { SignInInput } from "@tandem/contracts";
import { type Db, members, users } from "@tandem/db";
import { asc, eq, sql } from "drizzle-orm";
import { DomainError } from "../errors.ts";
import { addressBucket } from "../net/client-address.ts";
import type { RateLimiter, RateLimitRule } from "../rate-limit/limiter.ts";
import { getDummyHash, normalizeEmail, verifyPassword } from "./crypto.ts";
import { createSession } from "./sessions.ts";

/**
 * Per account and per client address (an IPv6 client's /64); a successful sign-in clears the
 * account's counter.
 */
export const LOGIN_LIMITS = {
  perEmail: { limit: 5, windowMs: 15 * 60 * 1000 },
  perIp: { limit: 30, windowMs: 15 * 60 * 1000 },
} satisfies Record<string, RateLimitRule>;

export interface SignInDeps {
  db: Db;
  limiter: RateLimiter;
}

export async function signIn(
  deps: SignInDeps,
  input: SignInInput & { ip?: string | undefined; userAgent?: string | undefined },
): Promise<{ token: string; expiresAt: Date; sessionId: string; userId: string; workspaceId: string }> {
  const email = normalizeEmail(input.email);
  const emailKey = `login:email:${email}`;
  const ipKey = `login:ip:${addressBucket(input.ip)}`;

  for (const [key, rule] of [
    [emailKey, LOGIN_LIMITS.perEmail],
    [ipKey, LOGIN_LIMITS.perIp],
  ] as const) {
    const state = await deps.limiter.peek(key, rule);
    if (!state.allowed) {
      throw new DomainError("rate_limited", "Too many sign-in attempts. Try again later.", {
        retryAfterSeconds: state.retryAfterSeconds,
      });
    }
  }

  const [user] = await deps.db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email))
    .limit(1);
  // Verify against a dummy hash for unknown emails so the response time does not reveal them.
  const ok = await verifyPassword(input.password, user?.passwordHash ?? (await getDummyHash()));
  if (!user?.passwordHash || !ok) {
    await Promise.all([deps.limiter.hit(emailKey, LOGIN_LIMITS.perEmail), deps.limiter.hit(ipKey, LOGIN_LIMITS.perIp)]);
    throw new DomainError("invalid_credentials", "Email or password is incorrect");
  }

  const [membership] = await deps.db
    .select({ workspaceId: members.workspaceId })
    .from(members)
    .where(eq(members.userId, user.id))
    .orderBy(asc(members.createdAt))
    .limit(1);
  if (!membership) throw new DomainError("no_workspace", "This account is not a member of any workspace");

  await deps.limiter.reset(emailKey);
  await deps.db.update(users).set({ lastSeenAt: new Date() }).where(eq(users.id, user.id));
  const session = await createSession(deps.db, {
    userId: user.id,
    workspaceId: membership.workspaceId,
    ip: input.ip,
    userAgent: input.userAgent,
  });
  return { ...session, userId: user.id, workspaceId: membership.workspaceId };
}
