import type { AddressInfo } from "node:net";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import type { Mailbox } from "./mailbox.ts";

export interface SmtpCatcher {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Largest message the catcher takes (the app's mails are a few kilobytes). */
const MAX_MESSAGE_BYTES = 5 * 1024 * 1024;

/**
 * A real SMTP server (smtp-server) that accepts every message, like MailHog: the app's mail
 * transport talks SMTP to it exactly as to a production server, and each message is parsed
 * (mailparser) into the mailbox. Plain SMTP, no authentication required (credentials are accepted
 * and ignored). Faults set on the mailbox refuse recipients with 451 (temporary) or 550 (permanent).
 * Listens on the loopback interface unless told otherwise: the mailbox holds live links.
 */
export async function startSmtpCatcher(
  mailbox: Mailbox,
  options: { port?: number; host?: string } = {},
): Promise<SmtpCatcher> {
  const host = options.host ?? "127.0.0.1";
  const server = new SMTPServer({
    name: "simulator.tandem.local",
    banner: "Tandem simulator mail catcher",
    logger: false,
    secure: false,
    authOptional: true,
    // Loopback only, nothing to protect: clients configured with credentials (SMTP_URL=smtp://u:p@…) still work.
    allowInsecureAuth: true,
    disabledCommands: ["STARTTLS"],
    size: MAX_MESSAGE_BYTES,
    onAuth(_auth, _session, callback) {
      callback(null, { user: "simulator" });
    },
    onRcptTo(address, _session, callback) {
      const fault = mailbox.takeFault(address.address);
      if (!fault) return callback();
      callback(Object.assign(new Error(fault.message), { responseCode: fault.code }));
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          if (stream.sizeExceeded) {
            return callback(Object.assign(new Error("5.3.4 Message too big"), { responseCode: 552 }));
          }
          const mailFrom = session.envelope.mailFrom;
          mailbox.add(parsed, {
            from: mailFrom ? mailFrom.address : null,
            to: session.envelope.rcptTo.map((r) => r.address),
          });
          callback();
        })
        .catch((err: Error) => callback(Object.assign(err, { responseCode: 451 })));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.server.address() as AddressInfo;
  return {
    host,
    port: address.port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
