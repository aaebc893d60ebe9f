import { type Db, users } from "@tandem/db";
import { eq } from "drizzle-orm";
import { actorUserId, type Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import type { JobQueue, JobScope } from "./queue.ts";

/** Who may see system jobs besides their own workspace's: `config.jobOperatorEmails`. */
export interface JobsAccess {
  operatorEmails: readonly string[];
}

/**
 * The jobs a member may see and retry: their workspace's, and — for an operator of the installation
 * (`JOBS_OPERATOR_EMAILS`) — the system's too. Never another workspace's.
 */
export async function jobScopeFor(ctx: Ctx, access: JobsAccess): Promise<JobScope> {
  return { workspaceId: ctx.workspaceId, system: await isOperator(ctx.db, actorUserId(ctx.actor), access) };
}

async function isOperator(db: Db, userId: string | null, access: JobsAccess): Promise<boolean> {
  if (!userId || access.operatorEmails.length === 0) return false;
  const [user] = await db.select({ email: users.email }).from(users).where(eq(users.id, userId));
  return user !== undefined && access.operatorEmails.includes(user.email.toLowerCase());
}

export function queueOf(ctx: Ctx): JobQueue {
  if (!ctx.queue) throw new DomainError("queue_unavailable", "The job queue is not running in this process");
  return ctx.queue;
}
