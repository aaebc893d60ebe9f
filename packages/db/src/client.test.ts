import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createDb, rowsOf } from "./client.ts";

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
      expect(rowsOf(await second.db.execute(sql`SELECT id FROM kept`))).toEqual([{ id: 42 }]);
      const buffers = rowsOf<{ shared_buffers: string }>(await second.db.execute(sql`SHOW shared_buffers`));
      expect(buffers[0]?.shared_buffers).toBe("32MB");
    } finally {
      await second.close();
    }
  });
});
