import { hashPassword, type Runtime } from "@tandem/core";
import { users } from "@tandem/db";
import { createTestWorkspace, type TestWorkspace } from "@tandem/db/testing";
import { inArray } from "drizzle-orm";

export const TEST_PASSWORD = "correct horse battery";
let passwordHash: Promise<string> | undefined;

/** A new workspace with an OWNER, ADMIN and AGENT who can all sign in with TEST_PASSWORD. */
export async function createSignInWorkspace(runtime: Runtime): Promise<TestWorkspace> {
  passwordHash ??= hashPassword(TEST_PASSWORD);
  const db = runtime.database.db;
  const ws = await createTestWorkspace(db);
  await db
    .update(users)
    .set({ passwordHash: await passwordHash })
    .where(inArray(users.id, [ws.owner.user.id, ws.admin.user.id, ws.agent.user.id]));
  return ws;
}
