import { z } from "zod";
import { page } from "./common.ts";

/**
 * The audit log (docs/audit-log.md): who changed what, signed in or exported, newest first. OWNER
 * and ADMIN read it (`audit.read`); rows of another workspace are never listed.
 */

/** What a secret shows as in the audit log. */
export const REDACTED = "••••";

export const AuditActorType = z.enum(["user", "token", "system"]);
export type AuditActorType = z.infer<typeof AuditActorType>;

/** Who did it, as the log shows it. */
export const AuditActor = z.object({
  type: AuditActorType,
  /** The member's user (also for a token: its owner); null for the system or a deleted user. */
  userId: z.string().nullable(),
  tokenId: z.string().nullable(),
  /** The person's name (else their email), `Token "name"`, or `System`. */
  label: z.string(),
  email: z.string().nullable(),
  tokenName: z.string().nullable(),
});
export type AuditActor = z.infer<typeof AuditActor>;

export const AuditLogEntryDto = z.object({
  id: z.string(),
  /** `entity.verb`, e.g. `channel.connect`, `user.sign_in`. */
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  actor: AuditActor,
  /** ISO time. */
  createdAt: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  /** Snapshots before and after the change; secrets show as `••••`. */
  before: z.unknown().nullable(),
  after: z.unknown().nullable(),
});
export type AuditLogEntryDto = z.infer<typeof AuditLogEntryDto>;

const Time = z.string().datetime({ offset: true });

export const AuditLogQuery = z.object({
  /** A user id (`usr_…`, their own actions and their tokens'), a token id (`tok_…`) or `system`. */
  actor: z
    .string()
    .trim()
    .regex(/^(system|usr_[A-Za-z0-9]{1,60}|tok_[A-Za-z0-9]{1,60})$/, "a user id, a token id or system")
    .optional(),
  /** An action (`channel.connect`), or a prefix ending with a dot (`channel.`). */
  action: z
    .string()
    .trim()
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]*)*$/, "an action such as channel.connect, or a prefix such as channel.")
    .max(100)
    .optional(),
  entityType: z.string().trim().min(1).max(100).optional(),
  entityId: z.string().trim().min(1).max(100).optional(),
  /** From this time on (inclusive). */
  from: Time.optional(),
  /** Before this time (exclusive). */
  to: Time.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
export type AuditLogQuery = z.infer<typeof AuditLogQuery>;

/** `GET /audit-log`: newest first; pass `nextCursor` back as `cursor` for the next page. */
export const AuditLogResponse = page(AuditLogEntryDto);
export type AuditLogResponse = z.infer<typeof AuditLogResponse>;

/** `GET /audit-log/filters`: the choices the log's filters offer, from the workspace's rows. */
export const AuditLogFilters = z.object({
  actions: z.array(z.string()),
  entityTypes: z.array(z.string()),
  actors: z.array(AuditActor),
});
export type AuditLogFilters = z.infer<typeof AuditLogFilters>;
