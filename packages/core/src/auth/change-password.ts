import type { ChangePasswordInput } from "@tandem/contracts";
import { passwordResets, users } from "@tandem/db";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/record-audit.ts";
import { type Ctx, withTransaction } from "../context.ts";
import { DomainError } from "../errors.ts";
import type { MailDeps } from "../mail/queue-email.ts";
import type { RateLimiter } from "../rate-limit/limiter.ts";
import { hashPassword, normalizeEmail, verifyPassword } from "./crypto.ts";
import { countPasswordAttempt } from "./password-attempts.ts";
import { queuePasswordChangedMail } from "./password-changed-mail.ts";
import { revokeUserSessions } from "./sessions.ts";

/**
 * Changes the signed-in user's password after checking the current one. Every other session of the
 * user, in every workspace, ends; pending reset links stop working; the change is audited and the
 * account's address gets a "your password was changed" mail.
 */
export async function changePassword(
  ctx: Ctx,
  input: ChangePasswordInput & { sessionId: string },
  deps: { limiter: RateLimiter; mail: MailDeps },
): Promise<void> {
  if (ctx.actor.type !== "user") {
    throw new DomainError("forbidden", "Change the password from a signed-in session, not with an API token");
  }
  const userId = ctx.actor.userId;
  const [user] = await ctx.db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw new DomainError("unauthenticated", "Not signed in");
  // Wrong current passwords count like sign-in guesses, on the same counters (counted before the
  // check): a stolen session cannot guess its way to the account's password.
  const attempt = await countPasswordAttempt(deps.limiter, { email: normalizeEmail(user.email), ip: ctx.ip });
  if (!user.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
    throw new DomainError("invalid_credentials", "The current password is incorrect");
  }
  await attempt.succeeded();
  if (input.newPassword === input.currentPassword) {
    throw new DomainError("same_password", "Choose a password different from the current one", {
      details: [{ path: "newPassword", message: "is the current password", code: "same_password" }],
    });
  }

  const passwordHash = await hashPassword(input.newPassword);
  await withTransaction(ctx, async (tx) => {
    await tx.db.update(users).set({ passwordHash }).where(eq(users.id, userId));
    await tx.db.delete(passwordResets).where(eq(passwordResets.userId, userId));
    await revokeUserSessions(tx, userId, { except: input.sessionId });
    await recordAudit(tx, { action: "user.change_password", entityType: "user", entityId: userId });
  });
  await queuePasswordChangedMail({ ...deps.mail, log: ctx.log }, user, { how: "changed", ip: ctx.ip });
}
