import type { JobQueue } from "../jobs/queue.ts";
import type { InvitationMailRef } from "../members/invitation-email-status.ts";
import type { Runtime } from "../runtime.ts";
import { sendEmail } from "./send-email.ts";
import { type MailMessage, sealMail } from "./templates.ts";

/** What a verb needs to hand a mail to the queue: the runtime's config, keyring and queue. */
export type MailDeps = Pick<Runtime, "config" | "keyring"> & { queue: JobQueue | null | undefined };

/** Whether this installation sends mail at all (SMTP configured, or the simulator's catcher in development). */
export const mailEnabled = (deps: Pick<MailDeps, "config">) => deps.config.mail !== null;

/**
 * Stores a `send-email` job for `message` (links sealed). Returns false, storing nothing, when the
 * installation sends no mail; throws when the queue refuses the job.
 */
export async function queueEmail(
  deps: MailDeps,
  to: string,
  message: MailMessage,
  options: { jobId?: string; invitation?: InvitationMailRef } = {},
): Promise<boolean> {
  if (!mailEnabled(deps)) return false;
  if (!deps.queue) throw new Error("sending mail needs the job queue");
  await deps.queue.enqueue(
    sendEmail,
    { to, message: sealMail(deps.keyring, message), ...(options.invitation ? { invitation: options.invitation } : {}) },
    options.jobId ? { jobId: options.jobId } : {},
  );
  return true;
}
