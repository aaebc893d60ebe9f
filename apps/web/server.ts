/**
 * Tandem's one process: a node:http server carrying the Hono API (`/api/*`), Socket.IO
 * (`/socket.io`), the in-process simulator (`/_simulator`, demo/dev only) and Next.js pages (the
 * rest). In embedded mode it also runs the job queue. See docs/architecture.md.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApiListener, createApp, createHttpServer } from "@tandem/api";
import { WIDGET_SOCKET } from "@tandem/contracts";
import {
  addGaugeSource,
  type Config,
  ConfigError,
  createLogger,
  exitProcess,
  getProcessOutput,
  handleShutdownSignals,
  isLoopbackHost,
  loadConfig,
  loadDotEnv,
  startObservability,
  VERSION,
} from "@tandem/core";
import { attachRealtime } from "./src/server/realtime.ts";
import { setSecurityHeaders } from "./src/server/security-headers.ts";
import { mountSimulator } from "./src/server/simulator.ts";
import { startRuntime } from "./src/server/start-runtime.ts";
import { traceDashboardRequest } from "./src/server/trace-realtime.ts";

const webDir = path.dirname(fileURLToPath(import.meta.url));
const dev = process.argv.includes("--dev");
/**
 * Hard limit on a shutdown: draining requests (10 s) and jobs (10 s) fit in it, and it ends before
 * the SIGKILL of a 30 s grace period (Kubernetes' default; docker-compose.yml and PM2 are set to it).
 */
const SHUTDOWN_DEADLINE_MS = 25_000;

let config: Config;
loadDotEnv();
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(`Tandem cannot start.\n${err.message}\nSee .env.example for every variable.`);
    process.exit(1);
  }
  throw err;
}
const log = createLogger({ level: config.logLevel });

// Tandem's own production checks follow the NODE_ENV the operator set (read above); Next.js needs
// NODE_ENV to match the bundle it serves, so it is set for Next only after the config is parsed.
Object.assign(process.env, { NODE_ENV: dev ? "development" : "production" });

async function main() {
  // Traces and Sentry first, so the database and the queue are observed from their first query.
  const observability = await startObservability(config, { serviceName: "tandem-web", version: VERSION, log });
  const simulator = config.simulator ? await mountSimulator(config, log) : null;
  const { runtime, queue, demo } = await startRuntime(config, log);
  const api = createApp(runtime);
  const apiListener = createApiListener(runtime, api.fetch);

  const { default: next } = await import("next");
  const nextApp = next({ dev, dir: webDir, hostname: config.host, port: config.port });
  await nextApp.prepare();
  const nextHandler = nextApp.getRequestHandler();

  const headerOptions = { https: config.appUrl.startsWith("https:") };
  // Header and body deadlines, keep-alive and slow-client handling: packages/api/src/http-server.ts.
  const server = createHttpServer({ config, log }, (req, res) => {
    const url = req.url ?? "/";
    setSecurityHeaders(url, res, headerOptions);
    if (url.startsWith("/api/") || url === "/api") return apiListener(req, res);
    if (simulator && url.startsWith("/_simulator")) return simulator.listener(req, res);
    traceDashboardRequest(req, res, () => nextHandler(req, res)).catch((err: unknown) => {
      log.error({ err, url }, "page rendering failed");
      if (!res.headersSent) res.writeHead(500).end("Internal Server Error");
    });
  });
  const io = await attachRealtime(server, runtime);
  // Open sockets of this process, per namespace, for /api/metrics.
  addGaugeSource(() => [
    {
      name: "tandem_realtime_sockets",
      help: "Open Socket.IO connections of this process: the dashboard's and the website widget's.",
      values: [
        { labels: { namespace: "dashboard" }, value: io.of("/").sockets.size },
        { labels: { namespace: "widget" }, value: io.of(WIDGET_SOCKET.namespace).sockets.size },
      ],
    },
  ]);

  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  log.info(
    { host: config.host, port, mode: config.embedded ? "embedded" : "postgres", queue: queue.driver },
    "Tandem is listening",
  );
  if (exposesDemo(config) && !isLoopbackHost(config.host))
    log.warn(
      { host: config.host, demoSeed: config.demoSeed, simulator: config.simulator },
      "demo logins or the simulator are reachable from the network",
    );
  printBanner(config, port, demo);

  handleShutdownSignals({
    log,
    deadlineMs: SHUTDOWN_DEADLINE_MS,
    stop: async (signal) => {
      log.info({ signal }, "shutting down: no new connections, draining requests and jobs");
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      io.close();
      const timeout = setTimeout(() => server.closeAllConnections(), 10_000);
      await drained;
      clearTimeout(timeout);
      const { returned } = await queue.stop({ timeoutMs: 10_000 });
      if (returned) log.warn({ returned }, "jobs still running at shutdown were returned to the queue");
      await runtime.close();
      await observability.shutdown();
      log.info("stopped");
    },
  });
}

function exposesDemo(config: Config): boolean {
  return config.demoSeed || config.simulator;
}

function printBanner(config: Config, port: number, demo: { logins: { email: string; role: string }[] } | null) {
  const url = config.appUrl.includes(`:${config.port}`)
    ? config.appUrl.replace(`:${config.port}`, `:${port}`)
    : config.appUrl;
  const lines = [``, `  Tandem is running at ${url}`];
  if (demo) {
    lines.push(
      ``,
      `  Demo logins (password: ${config.demoPassword === "tandem-demo" ? "tandem-demo" : "DEMO_PASSWORD"}):`,
    );
    for (const l of demo.logins) lines.push(`    ${l.role.padEnd(6)} ${l.email}`);
  }
  if (config.simulator)
    lines.push(``, `  Simulator on: fake platform APIs under ${url}/_simulator (SIMULATOR=0 turns it off)`);
  if (config.mail?.kind === "simulator")
    lines.push(
      `  Mail: caught by the simulator (SMTP 127.0.0.1:${config.mail.smtp.port}), read it at ${url}/simulator?tab=mailbox`,
    );
  else if (!config.mail)
    lines.push(``, `  Mail: off (no SMTP_URL): invitation links are copied by hand, "forgot password" is unavailable`);
  if (exposesDemo(config) && !config.hostFromEnv) {
    lines.push(
      ``,
      `  Listening on ${config.host} only: demo logins and the simulator are not for the network.`,
      `  To open it to other machines, set HOST=0.0.0.0 (with DEMO_SEED=0 and SIMULATOR=0 for real use).`,
    );
  } else if (exposesDemo(config) && !isLoopbackHost(config.host)) {
    const exposed = [
      config.demoSeed && "demo logins (a published password)",
      config.simulator && "the simulator (control endpoints without login)",
    ].filter(Boolean);
    lines.push(
      ``,
      `  WARNING: listening on ${config.host} with ${exposed.join(" and ")} on.`,
      `  Anyone who can reach this address can use them. Set DEMO_SEED=0 and SIMULATOR=0, or HOST=127.0.0.1.`,
    );
  }
  getProcessOutput().write(`${lines.join("\n")}\n\n`);
}

main().catch((err) => {
  log.fatal({ err }, "Tandem failed to start");
  void exitProcess(1);
});
