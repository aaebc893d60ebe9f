import type { UpdateProfileInput, UserDto } from "@tandem/contracts";
import { users } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";

/**
 * The signed-in person renames themselves (the name on their replies, mentions and assignments, in
 * every workspace they belong to). Audited in the current workspace as `user.update_profile`.
 */
export async function updateProfile(ctx: Ctx, input: UpdateProfileInput): Promise<UserDto> {
  if (ctx.actor.type !== "user") {
    throw new DomainError("forbidden", "Change the profile from a signed-in session, not with an API token");
  }
  const userId = ctx.actor.userId;
  return withTransaction(ctx, async (tx) => {
    const [before] = await tx.db.select().from(users).where(eq(users.id, userId)).for("update");
    if (!before) throw new DomainError("unauthenticated", "Not signed in");
    const [after] = await tx.db.update(users).set({ name: input.name }).where(eq(users.id, userId)).returning();
    await recordAudit(tx, {
      action: "user.update_profile",
      entityType: "user",
      entityId: userId,
      before: { name: before.name },
      after: { name: after!.name },
    });
    return { id: after!.id, email: after!.email, name: after!.name };
  });
}
