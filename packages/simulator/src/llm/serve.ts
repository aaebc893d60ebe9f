import { serve } from "@hono/node-server";
import { createSimulator, type Simulator, type SimulatorOptions } from "../simulator.ts";

export interface ServedSimulator {
  simulator: Simulator;
  /** `http://127.0.0.1:{port}{basePath}`: append `/llm/openai`, `/llm/gemini`, `/_control/llm`, … */
  url: string;
  close(): Promise<void>;
}

/** The whole simulator on a free port of 127.0.0.1, for tests that need real HTTP. */
export function serveSimulator(options: SimulatorOptions = {}): Promise<ServedSimulator> {
  const simulator = createSimulator(options);
  const base = (options.basePath ?? "").replace(/\/+$/, "");
  return new Promise((resolve) => {
    const server = serve({ fetch: simulator.app.fetch, port: 0, hostname: "127.0.0.1" }, (info) => {
      resolve({
        simulator,
        url: `http://127.0.0.1:${info.port}${base}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Streams a test abandoned keep their sockets open; do not wait for them.
            if ("closeAllConnections" in server) server.closeAllConnections();
          }),
      });
    });
  });
}
