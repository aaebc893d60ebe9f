import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { type Config, DEMO_PAGE, type Logger } from "@tandem/core";
import { createSimulator } from "@tandem/simulator";
import { type MessengerCustomerOptions, mountMessengerCustomer } from "./messenger-customer.ts";

/** App credentials the simulator uses when no real Facebook app is configured. */
export const SIMULATOR_APP = {
  appId: "1000000000000001",
  appSecret: "tandem-simulator-app-secret",
  verifyToken: "tandem-simulator-verify-token",
} as const;

export interface MountSimulatorOptions {
  /** How the customer side delivers webhooks to the app; default real HTTP to APP_URL. */
  fetch?: MessengerCustomerOptions["fetch"];
}

/**
 * The in-process simulator under `/_simulator`: a fake Graph API (and later LINE, Shopify, LLMs)
 * and the Messenger customer the /simulator page plays (`/_simulator/customer/messenger/*`).
 * When GRAPH_API_URL was not set explicitly, the app's Graph calls are pointed at it, and a missing
 * Facebook app configuration is filled with the simulator's, so the demo Page works offline.
 */
export function mountSimulator(config: Config, log: Logger, options: MountSimulatorOptions = {}) {
  if (!process.env.GRAPH_API_URL) config.facebook.graphApiUrl = `${config.appUrl}/_simulator/graph`;
  config.facebook.appId ??= SIMULATOR_APP.appId;
  config.facebook.appSecret ??= SIMULATOR_APP.appSecret;
  config.facebook.verifyToken ??= SIMULATOR_APP.verifyToken;
  const simulator = createSimulator({
    basePath: "/_simulator",
    graph: { pages: [DEMO_PAGE], appId: config.facebook.appId, appSecret: config.facebook.appSecret },
  });
  mountMessengerCustomer(simulator, {
    webhookUrl: `${config.appUrl}/api/webhooks/messenger`,
    appSecret: () => config.facebook.appSecret ?? SIMULATOR_APP.appSecret,
    defaultPageId: DEMO_PAGE.id,
    log,
    fetch: options.fetch,
  });
  log.warn(
    { graphApiUrl: config.facebook.graphApiUrl },
    "simulator enabled: fake platforms are served under /_simulator",
  );
  const listener = getRequestListener(simulator.app.fetch);
  return {
    simulator,
    listener: (req: IncomingMessage, res: ServerResponse) => listener(req, res),
  };
}
