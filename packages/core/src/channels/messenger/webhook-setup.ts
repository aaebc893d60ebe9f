import type { MessengerWebhookSetup } from "@tandem/contracts";
import type { Config } from "../../config.ts";
import { actorRole, type Ctx } from "../../context.ts";
import { assertCan } from "../../policy.ts";
import { listUnconnectedPages } from "./receive-webhook.ts";
import { lastVerification } from "./webhook-verification.ts";

/**
 * The app-level half of Messenger's webhook health, for the channels page: the callback URL and
 * whether this server can verify Meta's calls (verify token, App Secret), how Meta's last verification
 * handshake went, and the Pages that send
 * events although no channel is connected to them (those this workspace can claim).
 */
export async function getMessengerWebhookSetup(
  ctx: Ctx,
  deps: { config: Pick<Config, "appUrl" | "facebook"> },
): Promise<MessengerWebhookSetup> {
  assertCan(actorRole(ctx.actor), "channels.manage");
  const { facebook, appUrl } = deps.config;
  const [pages, verification] = await Promise.all([
    listUnconnectedPages(ctx.db, ctx.workspaceId),
    lastVerification(ctx.db),
  ]);
  return {
    callbackUrl: `${appUrl}/api/webhooks/messenger`,
    verifyTokenConfigured: Boolean(facebook.verifyToken),
    appSecretConfigured: Boolean(facebook.appSecret),
    appIdConfigured: Boolean(facebook.appId),
    unconnectedPages: pages.map((p) => ({ ...p, lastEventAt: p.lastEventAt.toISOString() })),
    verification,
  };
}
