/**
 * Observability end to end over real HTTP: a local OTLP/HTTP receiver collects the spans the
 * official SDK exports, a fake Sentry takes the SDK's envelopes at the DSN's host, and Prometheus'
 * view is `/api/metrics`. The pipeline is the real one (the Messenger fast path, the embedded queue,
 * the offline chatbot, the simulator's Graph API).
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { SESSION_COOKIE } from "@tandem/contracts";
import { type Observability, silentLogger, startObservability, VERSION } from "@tandem/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  FAQ,
  FB_APP_SECRET,
  type Harness,
  messengerDriver,
  startHarness,
  waitFor,
} from "../../../tests/support/channel-drivers.ts";

interface Collector {
  url: string;
  bodies: { path: string; body: string }[];
  server: Server;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return (req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
}

async function collector(answer: string): Promise<Collector> {
  const bodies: Collector["bodies"] = [];
  const server = createServer(async (req, res) => {
    bodies.push({ path: req.url ?? "", body: await readBody(req) });
    res.writeHead(200, { "content-type": "application/json" }).end(answer);
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies, server };
}

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: Record<string, unknown> }[];
  events?: { attributes?: { key: string; value: Record<string, unknown> }[] }[];
  status?: { code?: number };
  service: string;
}

/** Every span the receiver got, with its resource's service name. */
function spansOf(otlp: Collector): ExportedSpan[] {
  return otlp.bodies.flatMap(({ body }) =>
    (JSON.parse(body).resourceSpans ?? []).flatMap(
      (rs: { resource: { attributes: ExportedSpan["attributes"] }; scopeSpans: { spans: ExportedSpan[] }[] }) => {
        const service = String(
          Object.values(rs.resource.attributes?.find((a) => a.key === "service.name")?.value ?? {})[0],
        );
        return rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => ({ ...s, service })));
      },
    ),
  );
}

const attr = (span: ExportedSpan, key: string) => {
  const value = span.attributes?.find((a) => a.key === key)?.value;
  return value ? Object.values(value)[0] : undefined;
};

/** Every attribute value of every span and span event, as text. */
const allAttributeText = (spans: ExportedSpan[]) =>
  JSON.stringify(spans.map((s) => [s.name, s.attributes, s.events?.map((e) => e.attributes)]));

const METRICS_TOKEN = "metrics-token-0123456789abcdef";
let h: Harness;
let otlp: Collector;
let sentry: Collector;
let observability: Observability;

beforeAll(async () => {
  otlp = await collector("{}");
  sentry = await collector('{"id":"0"}');
  observability = await startObservability(
    {
      env: "test",
      otelEndpoint: otlp.url,
      sentryDsn: `http://publickey@${new URL(sentry.url).host}/1`,
    },
    { serviceName: "tandem-web", version: VERSION, log: silentLogger },
  );
  h = await startHarness();
  // A route that fails unexpectedly, registered before the app's router is built.
  h.app.get("/api/v1/test-explode", () => {
    throw new Error("exploded while holding tdm_abcdefghijklmnopqrstuvwx0123");
  });
});

afterAll(async () => {
  await h.close();
  // Unregisters the global tracer provider, context manager and propagator, and closes Sentry.
  await observability.shutdown();
  otlp.server.close();
  sentry.server.close();
});

describe("OpenTelemetry traces", () => {
  it("a webhook, the inbound job, the bot reply and the send are one trace; HTTP spans carry the route and status; nothing secret is in any span", async () => {
    const conn = await messengerDriver.connect(h);
    const customer = await conn.newCustomer();
    const admin = await conn.admin();
    expect((await conn.post(conn.text(customer, FAQ.question))).status).toBe(200);
    await waitFor(() => conn.delivered(customer).length > 0, "the bot's answer delivered");
    expect(conn.delivered(customer).flatMap((d) => d.texts)).toEqual([FAQ.answer]);
    // An admin request through Hono, and one for no route.
    const conversations = await (await admin.get("/api/v1/conversations")).json();
    const conversationId = conversations.items?.[0]?.id ?? conversations.data?.[0]?.id;
    expect((await admin.get(`/api/v1/conversations/${conversationId}`)).status).toBe(200);
    expect((await admin.get("/api/v1/no-such-route")).status).toBe(404);

    const spansNamed = (name: string) => spansOf(otlp).filter((s) => s.name === name);
    const pipeline = [
      "POST /api/webhooks/messenger",
      "enqueue process-inbound-event",
      "process process-inbound-event",
      "enqueue generate-bot-reply",
      "process generate-bot-reply",
      "enqueue send-outbound-message",
      "process send-outbound-message",
    ];
    // A span is exported when it ends: a job claimed as it is enqueued may end before its parent does.
    const inWebhookTrace = () => {
      const all = spansOf(otlp);
      const webhook = all.find((s) => s.name === "POST /api/webhooks/messenger");
      return webhook ? all.filter((s) => s.traceId === webhook.traceId) : [];
    };
    await waitFor(async () => {
      await observability.flush();
      const names = inWebhookTrace().map((s) => s.name);
      return pipeline.every((n) => names.includes(n)) && spansNamed("GET /api/v1/conversations/:id").length > 0;
    }, "the pipeline's spans exported in one trace");
    const spans = spansOf(otlp);
    const byId = new Map(spans.map((s) => [s.spanId, s]));

    const webhook = spansNamed("POST /api/webhooks/messenger")[0]!;
    expect(webhook.kind).toBe(2); // SERVER
    expect(attr(webhook, "http.route")).toBe("/api/webhooks/messenger");
    expect(String(attr(webhook, "http.response.status_code"))).toBe("200");
    expect(webhook.service).toBe("tandem-web");

    // One trace from the webhook to the send, each job's span under the enqueue that made it.
    const trace = spans.filter((s) => s.traceId === webhook.traceId);
    const send = trace.find((s) => s.name === "process send-outbound-message")!;
    const ancestors: string[] = [];
    for (let s: ExportedSpan | undefined = send; s; s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined)
      ancestors.push(s.name);
    expect(ancestors).toEqual(
      expect.arrayContaining([
        "process send-outbound-message",
        "enqueue send-outbound-message",
        "process generate-bot-reply",
        "process process-inbound-event",
        "POST /api/webhooks/messenger",
      ]),
    );
    expect(ancestors.at(-1)).toBe("POST /api/webhooks/messenger");
    // Database statements are spans of the trace, with parameterised SQL.
    const dbSpans = trace.filter((s) => attr(s, "db.system.name") === "postgresql");
    expect(dbSpans.length).toBeGreaterThan(0);
    expect(dbSpans.some((s) => String(attr(s, "db.query.text")).includes("$1"))).toBe(true);
    // The LLM call, with its provider and model, under the bot reply.
    expect(trace.some((s) => attr(s, "gen_ai.system") === "OFFLINE")).toBe(true);

    const read = spansNamed("GET /api/v1/conversations/:id")[0]!;
    expect(attr(read, "http.route")).toBe("/api/v1/conversations/:id");
    expect(String(attr(read, "http.response.status_code"))).toBe("200");
    expect(attr(read, "tandem.request_id")).toMatch(/^[0-9a-f-]{36}$/);
    const missing = spans.find((s) => s.name === "GET" && String(attr(s, "http.response.status_code")) === "404");
    expect(missing).toBeDefined();

    // No secret, no message text, no path with its ids in any attribute.
    const text = allAttributeText(spans);
    const session = admin.cookie(SESSION_COOKIE);
    for (const secret of [
      FB_APP_SECRET,
      "EAAcontract", // the Page access token's prefix
      FAQ.question,
      FAQ.answer,
      "sha256=", // the webhook signature
      ...(session ? [session] : []),
    ])
      expect(text).not.toContain(secret);
    expect(text).not.toContain(`/api/v1/conversations/${conversationId}`);
  });
});

describe("Sentry", () => {
  it("an unexpected 500 reaches Sentry with its request id and route, without cookies, credentials or tokens", async () => {
    const conn = await messengerDriver.connect(h);
    const admin = await conn.admin();
    const session = admin.cookie(SESSION_COOKIE)!;
    const res = await fetch(`${h.base}/api/v1/test-explode`, {
      headers: {
        cookie: `${SESSION_COOKIE}=${session}`,
        "x-request-id": "req-observability-0001",
        "x-api-key": "ck_should-never-leave-0000000000",
      },
    });
    expect(res.status).toBe(500);
    const answered = await res.json();
    expect(answered.error).toMatchObject({ code: "internal_error", requestId: "req-observability-0001" });

    const envelope = await waitFor(async () => {
      await observability.flush();
      return sentry.bodies.find((b) => b.body.includes("req-observability-0001"));
    }, "the error event at the fake Sentry");
    expect(envelope.path.split("?")[0]).toBe("/api/1/envelope/");
    const [, , payload] = envelope.body.split("\n");
    const event = JSON.parse(payload!);
    expect(event.tags).toMatchObject({
      requestId: "req-observability-0001",
      route: "/api/v1/test-explode",
      method: "GET",
    });
    expect(event.exception.values[0].value).toBe("exploded while holding tdm_[redacted]");
    expect(envelope.body).not.toContain(session);
    expect(envelope.body).not.toContain("should-never-leave");
    expect(envelope.body).not.toContain("abcdefghijklmnopqrstuvwx0123");
    expect(envelope.body.toLowerCase()).not.toContain("cookie");
  });

  it("a job that failed for good reaches Sentry with the job's name and id, without the Page's token", async () => {
    const conn = await messengerDriver.connect(h);
    const customer = await conn.newCustomer();
    conn.revokeToken(customer);
    expect((await conn.post(conn.text(customer, FAQ.question))).status).toBe(200);
    const envelope = await waitFor(
      async () => {
        await observability.flush();
        return sentry.bodies.find((b) => b.body.includes('"job":"send-outbound-message"'));
      },
      "the send's failure at the fake Sentry",
      45_000,
    );
    const event = JSON.parse(envelope.body.split("\n")[2]!);
    expect(event.tags).toMatchObject({ job: "send-outbound-message", workspaceId: conn.workspaceId });
    expect(event.tags.jobId).toBeTruthy();
    expect(envelope.body).not.toContain("EAAcontract");
  });

  it("a 4xx is not an error report", async () => {
    const before = sentry.bodies.length;
    const res = await fetch(`${h.base}/api/v1/conversations`, {
      headers: { "x-request-id": "req-observability-0401" },
    });
    expect(res.status).toBe(401);
    await observability.flush();
    expect(sentry.bodies.slice(before).some((b) => b.body.includes("req-observability-0401"))).toBe(false);
  });
});

describe("/api/metrics", () => {
  const scrape = (headers: Record<string, string> = {}) => fetch(`${h.base}/api/metrics`, { headers });

  it("does not exist without METRICS_TOKEN, and needs the token when set", async () => {
    h.runtime.config.metricsToken = undefined;
    expect((await scrape({ authorization: `Bearer ${METRICS_TOKEN}` })).status).toBe(404);

    h.runtime.config.metricsToken = METRICS_TOKEN;
    const conn = await messengerDriver.connect(h);
    const admin = await conn.admin();
    const refused = await scrape();
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toContain("Bearer");
    expect((await scrape({ authorization: "Bearer wrong-token-0123456789abcdef" })).status).toBe(401);
    // A signed-in admin's session is not the metrics token.
    expect((await scrape({ cookie: `${SESSION_COOKIE}=${admin.cookie(SESSION_COOKIE)}` })).status).toBe(401);
  });

  it("shows queue depth and lag, job counts, LLM latency, webhook failures and memory after some activity", async () => {
    h.runtime.config.metricsToken = METRICS_TOKEN;
    const conn = await messengerDriver.connect(h);
    const customer = await conn.newCustomer();
    expect((await conn.post(conn.text(customer, FAQ.question))).status).toBe(200);
    await waitFor(() => conn.delivered(customer).length > 0, "the bot's answer delivered");
    expect((await conn.post(conn.text(customer, "forged"), "forged")).status).toBe(401);

    const res = await scrape({ authorization: `Bearer ${METRICS_TOKEN}` });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await res.text();
    const sample = (line: RegExp) => {
      const found = text.split("\n").find((l) => line.test(l));
      return found === undefined ? undefined : Number(found.split(" ").at(-1));
    };
    expect(sample(/^tandem_jobs_completed_total\{job="send-outbound-message"\} /)).toBeGreaterThanOrEqual(1);
    expect(sample(/^tandem_jobs_completed_total\{job="generate-bot-reply"\} /)).toBeGreaterThanOrEqual(1);
    expect(text).toContain("# TYPE tandem_jobs_failed_total counter");
    expect(sample(/^tandem_job_duration_seconds_count\{job="process-inbound-event"\} /)).toBeGreaterThanOrEqual(1);
    expect(sample(/^tandem_queue_jobs\{job="send-outbound-message",state="waiting"\} /)).toBeGreaterThanOrEqual(0);
    expect(sample(/^tandem_queue_lag_seconds\{job="generate-bot-reply"\} /)).toBeGreaterThanOrEqual(0);
    expect(
      sample(/^tandem_llm_request_duration_seconds_count\{provider="OFFLINE",outcome="ok"\} /),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(/^tandem_llm_request_duration_seconds_bucket\{provider="OFFLINE",outcome="ok",le="\+Inf"\} /),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toContain("# TYPE tandem_llm_errors_total counter");
    expect(sample(/^tandem_webhook_signature_rejections_total\{channel="messenger"\} /)).toBeGreaterThanOrEqual(1);
    expect(text).toContain("# TYPE tandem_inbound_events_failed_total counter");
    expect(sample(/^process_resident_memory_bytes /)).toBeGreaterThan(0);
    // Every sample line is `name{labels} value`.
    for (const line of text.split("\n").filter((l) => l && !l.startsWith("#")))
      expect(line).toMatch(/^[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+$|Inf$/);
  });
});
