/**
 * Both limiters behave alike: counting is atomic under concurrency (the login limit relies on it),
 * `undo` takes one count back and never goes below zero, windows expire.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisServer, type TestServer } from "../../../../tests/support/redis-server.ts";
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from "./limiter.ts";

let server: TestServer;
let redis: Redis;
beforeAll(async () => {
  server = await startRedisServer();
  redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

const rule = { limit: 5, windowMs: 60_000 };

describe.each([
  ["memory", () => createMemoryRateLimiter()],
  ["redis", () => createRedisRateLimiter(redis, `test:${Math.random()}:`)],
] as const)("%s limiter", (_name, make: () => RateLimiter) => {
  it("lets exactly `limit` of 100 concurrent hits through", async () => {
    const limiter = make();
    const results = await Promise.all(Array.from({ length: 100 }, () => limiter.hit("k", rule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const refused = results.filter((r) => !r.allowed);
    expect(refused.every((r) => r.retryAfterSeconds > 0 && r.retryAfterSeconds <= 60)).toBe(true);
  });

  it("undo takes one hit back, never below zero; reset clears", async () => {
    const limiter = make();
    await limiter.undo("u");
    expect((await limiter.peek("u", rule)).remaining).toBe(5);
    for (let i = 0; i < 5; i++) await limiter.hit("u", rule);
    expect((await limiter.peek("u", rule)).allowed).toBe(false);
    await limiter.undo("u");
    expect((await limiter.peek("u", rule)).allowed).toBe(true);
    expect((await limiter.hit("u", rule)).allowed).toBe(true);
    expect((await limiter.hit("u", rule)).allowed).toBe(false);
    await limiter.reset("u");
    expect((await limiter.hit("u", rule)).allowed).toBe(true);
  });

  it("starts a new window when the old one has passed", async () => {
    const limiter = make();
    const short = { limit: 1, windowMs: 200 };
    expect((await limiter.hit("w", short)).allowed).toBe(true);
    expect((await limiter.hit("w", short)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await limiter.hit("w", short)).allowed).toBe(true);
  });
});
