import { DomainError } from "../errors.ts";
import { addressBucket } from "../net/client-address.ts";
import type { RateLimiter, RateLimitRule } from "../rate-limit/limiter.ts";

/** Per account and per client address (an IPv6 client's /64), over 15 minutes. */
export const LOGIN_LIMITS = {
  perEmail: { limit: 5, windowMs: 15 * 60 * 1000 },
  perIp: { limit: 30, windowMs: 15 * 60 * 1000 },
} satisfies Record<string, RateLimitRule>;

/**
 * One guess at a password (sign-in, accepting an invitation with an existing account, changing a
 * password). The attempt is counted BEFORE the password is verified, atomically (the limiter's
 * increment is one operation, in memory or in Redis), so a burst of concurrent guesses cannot all
 * pass a check that only looked: the sixth guess at an account in 15 minutes is refused with 429
 * whatever its password, and never reaches the hash. A successful attempt clears the account's
 * counter and takes its own count back from the address's, so a team behind one office address is
 * not limited by its own sign-ins.
 */
export async function countPasswordAttempt(
  limiter: RateLimiter,
  who: { email: string; ip?: string | undefined },
): Promise<{ succeeded(): Promise<void> }> {
  const emailKey = `login:email:${who.email}`;
  // An IPv6 client counts by its /64: one host can use a whole prefix.
  const ipKey = `login:ip:${addressBucket(who.ip)}`;
  // The address first: a client already refused for its address creates no per-account entry, so
  // looping over made-up emails cannot fill the limiter's memory (or Redis).
  const byIp = await limiter.hit(ipKey, LOGIN_LIMITS.perIp);
  if (!byIp.allowed) throw tooMany(byIp.retryAfterSeconds);
  const byEmail = await limiter.hit(emailKey, LOGIN_LIMITS.perEmail);
  if (!byEmail.allowed) throw tooMany(byEmail.retryAfterSeconds);
  return {
    async succeeded() {
      await Promise.all([limiter.reset(emailKey), limiter.undo(ipKey)]);
    },
  };
}

const tooMany = (retryAfterSeconds: number) =>
  new DomainError("rate_limited", "Too many sign-in attempts. Try again later.", { retryAfterSeconds });
