import { z } from "zod";

/**
 * The Messenger customer side of the in-process simulator (`/_simulator/customer/messenger/*`,
 * only when the simulator is on): the /simulator page sends as a customer and reads back what the
 * Page answered through the fake Send API.
 */

/** A PSID is a numeric string on Messenger; the simulator accepts any short id. */
const Psid = z
  .string()
  .trim()
  .regex(/^[0-9A-Za-z_-]{1,64}$/, "must be 1–64 letters, digits, - or _");

export const SimulatorSendInput = z
  .object({
    psid: Psid,
    /** Registers the customer's profile ("First Last") so the app's profile fetch finds it. */
    name: z.string().trim().min(1).max(120).optional(),
    /** Defaults to the demo Page. */
    pageId: z.string().trim().min(1).max(64).optional(),
    text: z.string().trim().min(1).max(2000).optional(),
    /** A tap on one of the Page's quick replies: `text` is the button's title. */
    quickReplyPayload: z.string().min(1).max(1000).optional(),
    postback: z.object({ title: z.string().min(1).max(200), payload: z.string().min(1).max(1000) }).optional(),
    attachmentUrl: z.string().url().max(2000).optional(),
  })
  .refine((v) => Boolean(v.text || v.postback || v.attachmentUrl), {
    message: "Send text, a postback or an attachment",
    path: ["text"],
  })
  .refine((v) => !v.quickReplyPayload || Boolean(v.text), {
    message: "A quick reply needs its title as text",
    path: ["text"],
  });
export type SimulatorSendInput = z.input<typeof SimulatorSendInput>;

export const SimulatorReceiptInput = z.object({ psid: Psid, pageId: z.string().trim().min(1).max(64).optional() });
export type SimulatorReceiptInput = z.input<typeof SimulatorReceiptInput>;

/** What the app answered to the signed webhook. */
export const SimulatorWebhookResult = z.object({ status: z.number().int(), ok: z.boolean() });

export const SimulatorSendResult = z.object({ mid: z.string(), webhook: SimulatorWebhookResult });
export type SimulatorSendResult = z.infer<typeof SimulatorSendResult>;

export const SimulatorReceiptResult = z.object({
  watermark: z.number(),
  mids: z.array(z.string()),
  webhook: SimulatorWebhookResult,
});
export type SimulatorReceiptResult = z.infer<typeof SimulatorReceiptResult>;

export const SimulatorThreadItem = z.object({
  /** The message id (`m_…`) of this message. */
  mid: z.string(),
  from: z.enum(["customer", "page"]),
  kind: z.enum(["text", "attachment", "quick_reply", "postback", "template"]),
  text: z.string().nullable(),
  attachments: z.array(z.object({ type: z.string(), url: z.string().nullable() })),
  /** Buttons the Page offered under this message; tapping one sends its payload back. */
  quickReplies: z.array(z.object({ title: z.string(), payload: z.string() })),
  /** Quick-reply or postback payload the customer sent. */
  payload: z.string().nullable(),
  time: z.string(),
  /** Customer messages: how the app answered the webhook. Page messages: always null. */
  webhook: SimulatorWebhookResult.nullable(),
  /** Page messages: `RESPONSE`, `UPDATE` or `MESSAGE_TAG`, and the tag (`HUMAN_AGENT`). */
  messagingType: z.string().nullable(),
  tag: z.string().nullable(),
});
export type SimulatorThreadItem = z.infer<typeof SimulatorThreadItem>;

export const SimulatorThread = z.object({
  pageId: z.string(),
  psid: z.string(),
  /** The customer's name as the fake Graph API reports it. */
  name: z.string(),
  items: z.array(SimulatorThreadItem),
  /** The Page's last sender action was `typing_on` after its last message. */
  pageTyping: z.boolean(),
  /** When the Page last sent `mark_seen`, if ever. */
  pageSeenAt: z.string().nullable(),
});
export type SimulatorThread = z.infer<typeof SimulatorThread>;

export const SimulatorCustomer = z.object({
  psid: z.string(),
  name: z.string(),
  /** Last message either way, when there was one. */
  lastActivityAt: z.string().nullable(),
});
export type SimulatorCustomer = z.infer<typeof SimulatorCustomer>;

export const SimulatorCustomers = z.object({
  /** The Page customers write to unless they choose another. */
  defaultPageId: z.string(),
  pages: z.array(z.object({ id: z.string(), name: z.string() })),
  customers: z.array(SimulatorCustomer),
});
export type SimulatorCustomers = z.infer<typeof SimulatorCustomers>;

/**
 * A message caught by the simulator's SMTP catcher (`/_simulator/_control/mail`): in development
 * without an SMTP server, every mail the app sends lands there and the /simulator page shows it.
 */
export const SimulatorMail = z.object({
  id: z.string(),
  receivedAt: z.string(),
  envelope: z.object({ from: z.string().nullable(), to: z.array(z.string()) }),
  from: z.string().nullable(),
  to: z.array(z.string()),
  subject: z.string(),
  text: z.string().nullable(),
  html: z.string().nullable(),
  /** http(s) links of the text and HTML bodies, in order. */
  links: z.array(z.string()),
});
export type SimulatorMail = z.infer<typeof SimulatorMail>;

export const SimulatorMailbox = z.object({ data: z.array(SimulatorMail) });
export type SimulatorMailbox = z.infer<typeof SimulatorMailbox>;
