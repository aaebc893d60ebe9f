import type { Ctx } from "../context.ts";
import { sessionOwner } from "./list-sessions.ts";
import { revokeUserSession } from "./sessions.ts";

/** Signs one of the caller's sessions out (its sockets are disconnected); another user's is "not found". */
export async function revokeOwnSession(ctx: Ctx, input: { sessionId: string }): Promise<void> {
  await revokeUserSession(ctx, sessionOwner(ctx), input.sessionId);
}
