import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { type Config, DEMO_PAGE, type Logger } from "@tandem/core";
import { createSimulator } from "@tandem/simulator";

/**
 * The in-process simulator under `/_simulator`: a fake Graph API (and later LINE, Shopify, LLMs).
 * When GRAPH_API_URL was not set explicitly, the app's Graph calls are pointed at it, so the demo
 * workspace's simulated Page works offline.
 */
export function mountSimulator(config: Config, log: Logger) {
  const simulator = createSimulator({ basePath: "/_simulator", graph: { pages: [DEMO_PAGE] } });
  if (!process.env.GRAPH_API_URL) config.facebook.graphApiUrl = `${config.appUrl}/_simulator/graph`;
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
