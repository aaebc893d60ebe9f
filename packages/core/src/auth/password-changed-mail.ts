import type { Logger } from "../logger.ts";
import { type MailDeps, queueEmail } from "../mail/queue-email.ts";

/**
 * "Your password was changed", to the account's address, after a change or a reset. The password
 * is changed already: a queue that refuses the mail is logged, never undoes or fails the change.
 */
export async function queuePasswordChangedMail(
  deps: MailDeps & { log: Logger },
  user: { email: string; name: string | null },
  details: { how: "changed" | "reset"; ip: string | undefined },
): Promise<void> {
  try {
    await queueEmail(deps, user.email, {
      template: "password-changed",
      name: user.name,
      how: details.how,
      at: new Date().toISOString(),
      ip: details.ip ?? null,
    });
  } catch (err) {
    deps.log.error({ err }, "could not queue the password-changed mail");
  }
}
