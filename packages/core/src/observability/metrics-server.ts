import { createHash, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { JobQueue } from "../jobs/queue.ts";
import type { Logger } from "../logger.ts";
import { scrapeMetrics } from "./scrape-metrics.ts";

const digest = (value: string) => createHash("sha256").update(value).digest();

/**
 * Whether an `Authorization` header shows `METRICS_TOKEN` as a bearer token. Digests of equal
 * length are compared, so the time taken says nothing about the token.
 */
export function metricsTokenMatches(expected: string, authorization: string | undefined): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  return given !== undefined && timingSafeEqual(digest(given), digest(expected));
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * The worker's `/metrics` (it has no other HTTP server): `GET /metrics` with the bearer token, on
 * `METRICS_PORT`. The web process serves the same exposition at `/api/metrics`.
 */
export async function serveMetrics(options: {
  port: number;
  host: string;
  token: string;
  queue: JobQueue;
  log: Logger;
}): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") return void res.writeHead(404).end();
    if (!metricsTokenMatches(options.token, req.headers.authorization)) {
      return void res.writeHead(401, { "WWW-Authenticate": 'Bearer realm="metrics"' }).end();
    }
    scrapeMetrics(options.queue).then(
      (body) => res.writeHead(200, { "Content-Type": METRICS_CONTENT_TYPE, "Cache-Control": "no-store" }).end(body),
      (err: unknown) => {
        options.log.error({ err }, "metrics scrape failed");
        res.writeHead(500).end();
      },
    );
  });
  server.listen(options.port, options.host);
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  options.log.info({ host: options.host, port }, "metrics on /metrics");
  return { server, port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
