import { Role } from "@tandem/contracts";
import { z } from "zod";
import type { Keyring } from "../secrets/keyring.ts";

/**
 * The mails Tandem sends, as data: a template name and its fields. The `send-email` job renders
 * them when it sends (plain text and simple HTML, with the app's name and APP_URL links).
 *
 * A link that grants something (a password reset, an invitation) is a credential: it is sealed with
 * the keyring before the job is stored (`sealMail`), so the job table or Redis, and an admin's list
 * of failed jobs, never hold it in clear. The job opens it just before sending.
 */
export const APP_NAME = "Tandem";

const Sealed = z.string().startsWith("enc:", "must be sealed with the keyring");

const PasswordReset = z.object({
  template: z.literal("password-reset"),
  name: z.string().nullable(),
  link: z.string(),
  expiresInMinutes: z.number().int().positive(),
  requestedIp: z.string().nullable(),
});
const PasswordChanged = z.object({
  template: z.literal("password-changed"),
  name: z.string().nullable(),
  /** `changed` from the profile page with the current password, `reset` through a mailed link. */
  how: z.enum(["changed", "reset"]),
  at: z.string(),
  ip: z.string().nullable(),
});
const Invitation = z.object({
  template: z.literal("invitation"),
  workspaceName: z.string(),
  inviterName: z.string().nullable(),
  role: Role,
  link: z.string(),
  expiresAt: z.string(),
});

/** A mail with its links in clear: what producers build and what `renderMail` reads. */
export const MailMessage = z.discriminatedUnion("template", [PasswordReset, PasswordChanged, Invitation]);
export type MailMessage = z.infer<typeof MailMessage>;

/** The same with every link sealed: what the `send-email` job stores. */
export const SealedMailMessage = z.discriminatedUnion("template", [
  PasswordReset.extend({ link: Sealed }),
  PasswordChanged,
  Invitation.extend({ link: Sealed }),
]);
export type SealedMailMessage = z.infer<typeof SealedMailMessage>;

export const sealMail = (keyring: Keyring, message: MailMessage): SealedMailMessage =>
  "link" in message ? { ...message, link: keyring.encrypt(message.link) } : message;

export const openMail = (keyring: Keyring, message: SealedMailMessage): MailMessage =>
  "link" in message ? { ...message, link: keyring.decrypt(message.link) } : message;

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

const ROLE_NAMES = { OWNER: "an owner", ADMIN: "an admin", AGENT: "an agent" } as const;

export function renderMail(message: MailMessage, appUrl: string): RenderedMail {
  const hello = (name: string | null) => (name ? `Hello ${name},` : "Hello,");
  switch (message.template) {
    case "password-reset":
      return layout(appUrl, {
        subject: `Reset your ${APP_NAME} password`,
        paragraphs: [
          hello(message.name),
          `Someone asked to reset the password of your ${APP_NAME} account${
            message.requestedIp ? ` (from ${message.requestedIp})` : ""
          }. Choose a new password with the link below. It works once, for ${message.expiresInMinutes} minutes.`,
        ],
        action: { label: "Choose a new password", url: message.link },
        after: ["If you did not ask for this, ignore this mail: your password stays as it is."],
      });
    case "password-changed": {
      const what = message.how === "reset" ? "was reset with a link sent to this address" : "was changed";
      return layout(appUrl, {
        subject: `Your ${APP_NAME} password was changed`,
        paragraphs: [
          hello(message.name),
          `The password of your ${APP_NAME} account ${what} on ${formatTime(message.at)}${
            message.ip ? ` from ${message.ip}` : ""
          }. Every other session of your account was signed out.`,
        ],
        after: [`If this was not you, reset your password now and tell your workspace owner.`],
        action: { label: "Reset my password", url: `${appUrl}/forgot-password` },
      });
    }
    case "invitation":
      return layout(appUrl, {
        subject: `Join ${message.workspaceName} on ${APP_NAME}`,
        paragraphs: [
          "Hello,",
          `${message.inviterName ?? "A member"} invited you to join ${message.workspaceName} on ${APP_NAME} as ${
            ROLE_NAMES[message.role]
          }. ${APP_NAME} is where the team and its AI chatbots answer customers together.`,
        ],
        action: { label: `Join ${message.workspaceName}`, url: message.link },
        after: [`The invitation expires on ${formatTime(message.expiresAt)} and works once.`],
      });
  }
}

const formatTime = (iso: string) =>
  new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" }) + " UTC";

function layout(
  appUrl: string,
  parts: { subject: string; paragraphs: string[]; action: { label: string; url: string }; after: string[] },
): RenderedMail {
  const footer = `${APP_NAME} · ${appUrl}`;
  const text = [
    ...parts.paragraphs,
    `${parts.action.label}:\n${parts.action.url}`,
    ...parts.after,
    `-- \n${footer}`,
  ].join("\n\n");
  const p = (t: string) => `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(t)}</p>`;
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(parts.subject)}</title></head>
<body style="margin:0;padding:24px;background:#f4f4f5;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#18181b">
<div style="max-width:520px;margin:0 auto;background:#ffffff;border-radius:8px;padding:32px">
<p style="margin:0 0 24px;font-weight:600;font-size:18px">${APP_NAME}</p>
${parts.paragraphs.map(p).join("\n")}
<p style="margin:24px 0"><a href="${escapeHtml(parts.action.url)}" style="display:inline-block;background:#18181b;color:#ffffff;text-decoration:none;padding:10px 16px;border-radius:6px">${escapeHtml(parts.action.label)}</a></p>
<p style="margin:0 0 16px;font-size:13px;color:#52525b;word-break:break-all">Or open this address: <a href="${escapeHtml(parts.action.url)}">${escapeHtml(parts.action.url)}</a></p>
${parts.after.map(p).join("\n")}
<p style="margin:24px 0 0;font-size:12px;color:#71717a"><a href="${escapeHtml(appUrl)}" style="color:#71717a">${escapeHtml(footer)}</a></p>
</div></body></html>`;
  return { subject: parts.subject, text, html };
}

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
