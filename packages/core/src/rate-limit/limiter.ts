import type { Redis } from "ioredis";

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  retryAfterSeconds: number;
}

/**
 * Fixed-window counters. In embedded mode they live in process memory (one process serves
 * everything); with REDIS_URL they live in Redis so every web process shares them.
 */
export interface RateLimiter {
  hit(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /** Reads without counting. */
  peek(key: string, rule: RateLimitRule): Promise<RateLimitResult>;
  /** Takes one earlier `hit` back (an attempt that turned out not to count), never below zero. */
  undo(key: string): Promise<void>;
  reset(key: string): Promise<void>;
}

export function createMemoryRateLimiter(now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  let lastSweep = now();

  const sweep = () => {
    const t = now();
    if (t - lastSweep < 60_000) return;
    lastSweep = t;
    for (const [key, w] of windows) if (w.resetAt <= t) windows.delete(key);
  };

  const current = (key: string, rule: RateLimitRule) => {
    const t = now();
    let w = windows.get(key);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + rule.windowMs };
      windows.set(key, w);
    }
    return w;
  };

  const result = (w: { count: number; resetAt: number }, rule: RateLimitRule): RateLimitResult => ({
    allowed: w.count <= rule.limit,
    remaining: Math.max(0, rule.limit - w.count),
    retryAfterSeconds: w.count <= rule.limit ? 0 : Math.max(1, Math.ceil((w.resetAt - now()) / 1000)),
  });

  return {
    async hit(key, rule) {
      sweep();
      const w = current(key, rule);
      w.count += 1;
      return result(w, rule);
    },
    async peek(key, rule) {
      const w = windows.get(key);
      if (!w || w.resetAt <= now()) return { allowed: true, remaining: rule.limit, retryAfterSeconds: 0 };
      return {
        ...result(w, rule),
        allowed: w.count < rule.limit,
        retryAfterSeconds: w.count < rule.limit ? 0 : Math.max(1, Math.ceil((w.resetAt - now()) / 1000)),
      };
    },
    async undo(key) {
      const w = windows.get(key);
      if (w && w.count > 0) w.count -= 1;
    },
    async reset(key) {
      windows.delete(key);
    },
  };
}

const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
return {count, ttl}
`;

const UNDO_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then redis.call('DECR', KEYS[1]) end
return 0
`;

export function createRedisRateLimiter(redis: Redis, prefix = "tandem:rl:"): RateLimiter {
  const toResult = (count: number, ttlMs: number, rule: RateLimitRule, counted: boolean): RateLimitResult => {
    const allowed = counted ? count <= rule.limit : count < rule.limit;
    return {
      allowed,
      remaining: Math.max(0, rule.limit - count),
      retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(Math.max(ttlMs, 0) / 1000)),
    };
  };
  return {
    async hit(key, rule) {
      const [count, ttl] = (await redis.eval(HIT_SCRIPT, 1, prefix + key, String(rule.windowMs))) as [number, number];
      return toResult(count, ttl, rule, true);
    },
    async peek(key, rule) {
      const [count, ttl] = await Promise.all([redis.get(prefix + key), redis.pttl(prefix + key)]);
      return toResult(Number(count ?? 0), ttl, rule, false);
    },
    async undo(key) {
      await redis.eval(UNDO_SCRIPT, 1, prefix + key);
    },
    async reset(key) {
      await redis.del(prefix + key);
    },
  };
}
