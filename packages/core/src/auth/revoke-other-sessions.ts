import type { Ctx } from "../context.ts";
import { sessionOwner } from "./list-sessions.ts";
import { revokeUserSessions } from "./sessions.ts";

/**
 * Signs the caller out everywhere else: every session but the current one ends, in every workspace,
 * and their sockets are disconnected. Only from a session (`sessionOwner`).
 */
export async function revokeOtherSessions(
  ctx: Ctx,
  input: { currentSessionId?: string | undefined },
): Promise<{ revoked: number }> {
  const revoked = await revokeUserSessions(ctx, sessionOwner(ctx), { except: input.currentSessionId });
  return { revoked };
}
