import type { SetupInput } from "@tandem/contracts";
import { type Db, members, users, workspaces } from "@tandem/db";
import { sql } from "drizzle-orm";
import { DomainError } from "../errors.ts";
import { insertDefaultChatbot } from "../providers/default-chatbot.ts";
import { hashPassword, normalizeEmail } from "./crypto.ts";
import { createSession } from "./sessions.ts";

export async function needsSetup(db: Db): Promise<boolean> {
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(users);
  return Number(row?.count ?? 0) === 0;
}

/** First-run owner creation: only while no user exists (a fresh install with DEMO_SEED=0). */
export async function setupFirstOwner(
  db: Db,
  input: SetupInput & { ip?: string | undefined; userAgent?: string | undefined },
) {
  // Checked first so a refused request costs no hash, and again under the lock below.
  if (!(await needsSetup(db))) throw new DomainError("already_set_up", "This installation already has an owner");
  // Hashed before the transaction: it takes a few hundred milliseconds, during which an open
  // transaction on the embedded database would hold every other query.
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db;
    // Serialise concurrent first-run requests; the loser sees a user and is refused.
    await t.execute(sql`SELECT pg_advisory_xact_lock(727274002)`);
    if (!(await needsSetup(t))) throw new DomainError("already_set_up", "This installation already has an owner");
    const [workspace] = await t.insert(workspaces).values({ name: input.workspaceName }).returning();
    const [user] = await t
      .insert(users)
      .values({
        email: normalizeEmail(input.email),
        name: input.name,
        passwordHash,
      })
      .returning();
    await t.insert(members).values({ workspaceId: workspace!.id, userId: user!.id, role: "OWNER" });
    // The offline chatbot answers from the first message; the owner switches providers in settings.
    await insertDefaultChatbot(t, workspace!.id, user!.id);
    const session = await createSession(t, {
      userId: user!.id,
      workspaceId: workspace!.id,
      ip: input.ip,
      userAgent: input.userAgent,
    });
    return { ...session, userId: user!.id, workspaceId: workspace!.id };
  });
}
