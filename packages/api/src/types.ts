import type { IncomingMessage } from "node:http";
import type { Role } from "@tandem/contracts";
import type { ChatbotRow, Ctx, Runtime } from "@tandem/core";

export interface AuthState {
  kind: "session" | "token";
  user: { id: string; email: string; name: string | null };
  workspace: { id: string; name: string };
  memberId: string;
  role: Role;
  sessionId?: string;
  tokenId?: string;
}

/** Who calls a public chat route (middleware/public-caller.ts). */
export type PublicCaller =
  | { kind: "api"; chatbot: ChatbotRow }
  | { kind: "visitor"; chatbot: ChatbotRow; sessionId: string; origin: string };

/** Hono context variables set by the middlewares. */
export interface AppEnv {
  Variables: {
    requestId: string;
    runtime: Runtime;
    auth: AuthState;
    ctx: Ctx;
    /** The request body exactly as received: set by the webhook stack (stacks/webhooks.ts, `rawBody`). */
    rawBody: Uint8Array;
    /** Set on public chat routes by `publicCaller` (middleware/public-caller.ts). */
    publicCaller: PublicCaller;
  };
  /** Set by @hono/node-server: the node request (absent for in-process `app.request()` calls). */
  Bindings: { incoming?: IncomingMessage };
}
