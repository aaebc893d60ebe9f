/**
 * Tandem's one process: a node:http server carrying the Hono API (`/api/*`), Socket.IO
 * (`/socket.io`), the in-process simulator (`/_simulator`, demo/dev only) and Next.js pages (the
 * rest). In embedded mode it also runs the job queue. See docs/architecture.md.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApiListener, createApp, createHttpServer } from "@tandem/api";
import { type Config, ConfigError, createLogger, loadConfig, loadDotEnv } from "@tandem/core";
import { attachRealtime } from "./src/server/realtime.ts";
import { mountSimulator } from "./src/server/simulator.ts";
import { startRuntime } from "./src/server/start-runtime.ts";

const webDir = path.dirname(fileURLToPath(import.meta.url));
const dev = process.argv.includes("--dev");

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
  const simulator = config.simulator ? await mountSimulator(config, log) : null;
  const { runtime, queue, demo } = await startRuntime(config, log);
  const api = createApp(runtime);
  const apiListener = createApiListener(runtime, api.fetch);

  const { default: next } = await import("next");
  const nextApp = next({ dev, dir: webDir, hostname: config.host, port: config.port });
  await nextApp.prepare();
  const nextHandler = nextApp.getRequestHandler();

  // Header and body deadlines, keep-alive and slow-client handling: packages/api/src/http-server.ts.
  const server = createHttpServer({ config, log }, (req, res) => {
    const url = req.url ?? "/";
    if (url.startsWith("/api/") || url === "/api") return apiListener(req, res);
    if (simulator && url.startsWith("/_simulator")) return simulator.listener(req, res);
    nextHandler(req, res).catch((err: unknown) => {
      log.error({ err, url }, "page rendering failed");
      if (!res.headersSent) res.writeHead(500).end("Internal Server Error");
    });
  });
  const io = await attachRealtime(server, runtime);

  await new Promise<void>((resolve) => server.listen(config.port, config.host, resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  log.info({ port, mode: config.embedded ? "embedded" : "postgres", queue: queue.driver }, "Tandem is listening");
  printBanner(config, port, demo);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
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
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
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
  console.log(`${lines.join("\n")}\n`);
}

main().catch((err) => {
  log.fatal({ err }, "Tandem failed to start");
  process.exit(1);
});
