import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDb, migrate } from "@tandem/db";

/**
 * Migrates one in-memory PGlite and dumps it; each test file then loads the dump instead of running
 * initdb and every migration again (seconds saved per file on a 2-core machine).
 */
export default async function setup() {
  const dir = mkdtempSync(path.join(tmpdir(), "tandem-pglite-template-"));
  const file = path.join(dir, "template.tar.gz");
  const database = await createDb();
  await migrate(database);
  // biome-ignore lint/suspicious/noExplicitAny: dumpDataDir lives on the PGlite client behind drizzle
  const client = (database.db as any).$client as { dumpDataDir(c?: "gzip" | "none"): Promise<Blob> };
  const dump = await client.dumpDataDir("gzip");
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  process.env.TANDEM_PGLITE_TEMPLATE = file;
  return () => rmSync(dir, { recursive: true, force: true });
}
