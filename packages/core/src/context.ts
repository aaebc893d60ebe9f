import type { Role } from "@tandem/contracts";
import type { Db } from "@tandem/db";
import type { ChannelRegistry } from "./channels/registry.ts";
import type { JobQueue } from "./jobs/queue.ts";
import type { Logger } from "./logger.ts";
import type { RealtimePublisher } from "./realtime.ts";

/** Who is acting: a signed-in member, a member's personal API token, or the system (jobs, seeds). */
export type Actor =
  | { type: "user"; userId: string; memberId: string; role: Role }
  | { type: "token"; userId: string; memberId: string; role: Role; tokenId: string }
  | { type: "system" };

/** Every core verb takes `(ctx, input)`. `db` may be a transaction. */
export interface Ctx {
  db: Db;
  workspaceId: string;
  actor: Actor;
  log: Logger;
  requestId?: string | undefined;
  ip?: string | undefined;
  userAgent?: string | undefined;
  /** For verbs that start background work (agent sends, retries); set by the API from the runtime. */
  queue?: JobQueue | undefined;
  /** For verbs that publish live updates; without it they publish nothing. */
  realtime?: RealtimePublisher | undefined;
  /** For verbs that talk to a platform (connect, subscribe, disconnect); set by the API from the runtime. */
  channels?: ChannelRegistry | undefined;
}

type InTransaction = { inTransaction?: boolean; afterCommit?: (() => void)[] };

/** Runs `fn` in a transaction, or in the caller's transaction when one is already open. */
export async function withTransaction<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if ((ctx as Ctx & InTransaction).inTransaction) return fn(ctx);
  const committed: (() => void)[] = [];
  const result = await ctx.db.transaction(async (tx) =>
    fn({ ...ctx, db: tx as unknown as Db, inTransaction: true, afterCommit: committed } as Ctx),
  );
  for (const effect of committed) {
    // The change is committed: a failing effect is logged, never reported as the verb's failure.
    try {
      effect();
    } catch (err) {
      ctx.log.warn({ err }, "an effect after the commit failed");
    }
  }
  return result;
}

/**
 * Runs `effect` once the transaction `ctx` belongs to has committed (at once outside `withTransaction`),
 * for effects others must not see before the change does: a socket disconnected while its session row
 * still exists could reconnect with it. Nothing runs when the transaction rolls back.
 */
export function afterCommit(ctx: object, effect: () => void): void {
  const pending = (ctx as InTransaction).afterCommit;
  if (pending) pending.push(effect);
  else effect();
}

export const actorUserId = (actor: Actor): string | null => (actor.type === "system" ? null : actor.userId);
export const actorRole = (actor: Actor): Role => (actor.type === "system" ? "OWNER" : actor.role);

/** The channel adapters of a verb's context; a caller that reaches a platform must have set them. */
export function channelsOf(ctx: Pick<Ctx, "channels">): ChannelRegistry {
  if (!ctx.channels) throw new Error("this verb needs ctx.channels (the runtime's channel registry)");
  return ctx.channels;
}
