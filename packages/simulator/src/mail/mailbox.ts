import { randomUUID } from "node:crypto";
import type { ParsedMail } from "mailparser";

/** One caught message, as the /simulator page's mailbox shows it. */
export interface CaughtMail {
  id: string;
  receivedAt: string;
  /** The SMTP envelope: who the client said it sends from and to. */
  envelope: { from: string | null; to: string[] };
  /** The headers. */
  from: string | null;
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  /** http(s) links found in the text and HTML bodies, in order, once each. */
  links: string[];
}

export type MailFaultKind = "temporary" | "permanent";

export interface MailFault {
  kind: MailFaultKind;
  /** Messages still to refuse. */
  times: number;
  /** Only messages to this address (any when unset). */
  to?: string;
}

/** Keep the newest messages; a demo left running for days must not grow without end. */
export const MAILBOX_LIMIT = 200;

const LINK = /https?:\/\/[^\s<>"')\]]+/g;

export class Mailbox {
  #messages: CaughtMail[] = [];
  fault: MailFault | null = null;

  add(parsed: ParsedMail, envelope: CaughtMail["envelope"]): CaughtMail {
    const addresses = (value: ParsedMail["to"]) =>
      (Array.isArray(value) ? value : value ? [value] : []).flatMap((a) => a.value.map((v) => v.address ?? v.name));
    const sender = parsed.from?.value[0];
    const text = parsed.text ?? null;
    const html = typeof parsed.html === "string" ? parsed.html : null;
    const hrefs = [...(html ?? "").matchAll(/href="(https?:\/\/[^"]+)"/g)].map((m) => decodeEntities(m[1]!));
    const message: CaughtMail = {
      id: randomUUID(),
      receivedAt: new Date().toISOString(),
      envelope,
      from: sender ? (sender.name ? `${sender.name} <${sender.address}>` : (sender.address ?? null)) : null,
      to: addresses(parsed.to),
      subject: parsed.subject ?? "",
      text,
      html,
      links: [...new Set([...(text?.match(LINK) ?? []), ...hrefs])],
    };
    this.#messages.unshift(message);
    this.#messages.length = Math.min(this.#messages.length, MAILBOX_LIMIT);
    return message;
  }

  /** Newest first. */
  list(): CaughtMail[] {
    return [...this.#messages];
  }

  get(id: string): CaughtMail | undefined {
    return this.#messages.find((m) => m.id === id);
  }

  clear(): void {
    this.#messages = [];
  }

  /** The SMTP reply refusing a message to `to`, when a fault is set for it (and counts it). */
  takeFault(to: string): { code: number; message: string } | null {
    const fault = this.fault;
    if (!fault || fault.times <= 0 || (fault.to && fault.to.toLowerCase() !== to.toLowerCase())) return null;
    fault.times -= 1;
    if (fault.times <= 0) this.fault = null;
    return fault.kind === "temporary"
      ? { code: 451, message: "4.3.0 Temporary failure, try again later (simulated)" }
      : { code: 550, message: "5.1.1 Mailbox unavailable (simulated)" };
  }

  reset(): void {
    this.clear();
    this.fault = null;
  }
}

const decodeEntities = (value: string) =>
  value
    .replace(/&amp;/g, "&")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">");
