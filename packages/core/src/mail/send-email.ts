import { z } from "zod";
import type { AppJobDeps } from "../app-deps.ts";
import { defineJob, type JobContext } from "../jobs/define-job.ts";
import { describeError, isRetryable, NonRetryableError } from "../jobs/errors.ts";
import { InvitationMailRef, markInvitationEmail } from "../members/invitation-email-status.ts";
import { openMail, renderMail, SealedMailMessage } from "./templates.ts";
import { deliverMail } from "./transport.ts";

/**
 * Sends one mail, outside any request. Transient SMTP failures (4xx, connection, TLS, timeouts) are
 * retried with backoff for about a quarter of an hour; a permanent refusal (5xx) or the last
 * attempt fails the job, which stays in the failed-jobs list (`GET /api/v1/jobs`) with the
 * server's reply, is logged as an error, and — for an invitation — is shown on the invitation row
 * in Settings → Members, where the link can still be copied or the mail sent again.
 */
export const sendEmail = defineJob({
  name: "send-email",
  schema: z.object({
    to: z.string().email().max(320),
    message: SealedMailMessage,
    /** The invitation whose link this mail carries: its delivery status is kept on the row. */
    invitation: InvitationMailRef.optional(),
  }),
  retry: { attempts: 6, backoff: { baseMs: 30_000, maxMs: 10 * 60_000 } },
  // Mail belongs to a person's account, not to a workspace (a reset serves every workspace of the
  // account): listed to operators only; an invitation's delivery shows on its row in Settings → Members.
  system: true,
  concurrency: 2,
  // Nobody waits on a mail the way a customer waits on a reply: on the embedded database its few
  // queries yield to the message pipeline's.
  background: true,
  handle: async ({ to, message, invitation }, ctx: JobContext<AppJobDeps>) => {
    const template = message.template;
    try {
      const mail = ctx.config.mail;
      if (!mail) throw new NonRetryableError("This installation has no mail transport (set SMTP_URL and MAIL_FROM)");
      const rendered = renderMail(openMail(ctx.keyring, message), ctx.config.appUrl);
      const sent = await deliverMail(mail, to, rendered);
      ctx.log.info({ template, via: mail.kind, messageId: sent.messageId }, "mail sent");
      if (invitation) await markInvitationEmail(ctx.db, invitation, { status: "sent" });
    } catch (error) {
      if (isRetryable(error) && ctx.attempt < ctx.maxAttempts) {
        ctx.log.warn({ err: error, template }, "mail not sent; will retry");
      } else {
        ctx.log.error({ err: error, template }, "mail could not be sent");
        if (invitation) {
          await markInvitationEmail(ctx.db, invitation, { status: "failed", error: describeError(error) });
        }
      }
      throw error;
    }
  },
});
