import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { Db } from "@tandem/db";
import { sql } from "drizzle-orm";

/**
 * Runs `work` and, whenever a password hash starts (the `tandem:password-hash` channel), asks the
 * database something. Inside an open transaction the embedded database cannot answer before that
 * transaction commits, that is after the hash ends; outside one it answers at once. Returns, per
 * hash, whether the database answered while the hash was still running.
 */
export async function probeDatabaseDuringHashes(db: Db, work: () => Promise<unknown>): Promise<boolean[]> {
  const probes: Promise<boolean>[] = [];
  let ended = 0;
  const onHash = (message: unknown) => {
    if ((message as { phase: string }).phase === "end") {
      ended++;
      return;
    }
    const endedBefore = ended;
    probes.push(db.execute(sql`select 1`).then(() => ended === endedBefore));
  };
  subscribe("tandem:password-hash", onHash);
  try {
    await work();
    return await Promise.all(probes);
  } finally {
    unsubscribe("tandem:password-hash", onHash);
  }
}
