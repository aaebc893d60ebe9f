import nodemailer from "nodemailer";
import type { MailConfig } from "../config.ts";
import { NonRetryableError, RetryableError } from "../jobs/errors.ts";
import type { RenderedMail } from "./templates.ts";

/** A hung server must not hold a job for nodemailer's default two minutes per step. */
const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 };

/** Codes of failures on our side of the wire or of a server that may answer better later. */
const TRANSIENT_CODES = new Set(["ECONNECTION", "ETIMEDOUT", "ESOCKET", "EDNS", "ETLS", "EPROTOCOL", "EAUTH"]);

/**
 * Sends one message over SMTP (nodemailer): to the operator's server, or to the simulator's catcher.
 * A fresh connection per message: mail is rare here (invitations, password mails), and nothing has
 * to be closed when the process stops. Failures come back classified for the job queue:
 *
 * - 4xx replies (greylisting, mailbox busy, rate limits), connection and TLS problems, timeouts and
 *   refused credentials → `RetryableError` (credentials can be fixed by the operator while the job
 *   waits; the last attempt still fails and is listed with the server's reply);
 * - 5xx replies to the sender, the recipient or the message → `NonRetryableError`: the server said
 *   it will never take this message.
 */
export async function deliverMail(
  mail: MailConfig,
  to: string,
  message: RenderedMail,
): Promise<{ messageId: string; response: string }> {
  const transport = nodemailer.createTransport({ ...mail.smtp, ...TIMEOUTS });
  try {
    const info = await transport.sendMail({ from: mail.from, to, ...message });
    return { messageId: info.messageId, response: info.response };
  } catch (error) {
    throw classifySmtpError(error);
  } finally {
    transport.close();
  }
}

export function classifySmtpError(error: unknown): Error {
  const { code, responseCode, response, message } = (error ?? {}) as {
    code?: string;
    responseCode?: number;
    response?: string;
    message?: string;
  };
  const reason = `SMTP ${response ?? message ?? String(error)}`.trim();
  if (typeof responseCode === "number" && responseCode >= 400 && responseCode < 500) {
    return new RetryableError(reason, { cause: error });
  }
  if (code && TRANSIENT_CODES.has(code)) return new RetryableError(reason, { cause: error });
  if (typeof responseCode === "number" && responseCode >= 500) return new NonRetryableError(reason, { cause: error });
  // Anything else (a bug, a stream error): retried like any unknown failure.
  return new RetryableError(reason, { cause: error });
}
