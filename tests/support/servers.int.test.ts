import { createDb, rowsOf } from "@tandem/db";
import { sql } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type PostgresServer, startPostgresServer } from "./postgres-server.ts";
import { startRedisServer, type TestServer } from "./redis-server.ts";

describe("redis-server", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startRedisServer();
  }, 30_000);
  afterAll(() => server?.stop());

  it("answers commands and stops", async () => {
    const redis = new Redis(server.url);
    await redis.set("k", "v");
    expect(await redis.get("k")).toBe("v");
    await redis.quit();
  });
});

describe("postgres-server", () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgresServer();
  }, 120_000);
  afterAll(() => server?.stop(), 30_000);

  it("creates separate databases that Drizzle can use", async () => {
    const first = await createTestDatabase(server);
    const second = await createTestDatabase(server);
    expect(first).not.toBe(second);

    const a = await createDb({ databaseUrl: first, poolSize: 1 });
    const b = await createDb({ databaseUrl: second, poolSize: 1 });
    try {
      await a.db.execute(sql`CREATE TABLE only_in_a (id int)`);
      const inA = rowsOf<{ name: string | null }>(
        await a.db.execute(sql`SELECT to_regclass('only_in_a')::text AS name`),
      );
      const inB = rowsOf<{ name: string | null }>(
        await b.db.execute(sql`SELECT to_regclass('only_in_a')::text AS name`),
      );
      expect(inA[0]?.name).toBe("only_in_a");
      expect(inB[0]?.name).toBeNull();
    } finally {
      await a.close();
      await b.close();
    }
  });
});
