import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createDb } from "./client.ts";

const dir = mkdtempSync(path.join(tmpdir(), "tandem-db-client-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("createDb (embedded, on disk)", () => {
  it("creates a new cluster in DATA_DIR, keeps what is written, and runs with a 32 MB page cache", async () => {
    const dataDir = path.join(dir, "pglite");
    const first = await createDb({ dataDir });
    await first.db.execute(sql`CREATE TABLE kept (id int)`);
    await first.db.execute(sql`INSERT INTO kept VALUES (42)`);
    await first.close();

    const second = await createDb({ dataDir });
    try {
      const kept = await second.db.execute<{ id: number }>(sql`SELECT id FROM kept`);
      expect(kept.rows).toEqual([{ id: 42 }]);
      const buffers = await second.db.execute<{ shared_buffers: string }>(sql`SHOW shared_buffers`);
      expect(buffers.rows[0]?.shared_buffers).toBe("32MB");
    } finally {
      await second.close();
    }
  });
});
