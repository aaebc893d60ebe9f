import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";
import { type ProxyTrust, parseTrustProxy } from "./net/client-address.ts";
import { allowHosts, type OutboundPolicy, parseOutboundPolicy } from "./net/outbound.ts";

/**
 * Environment, parsed once at start-up. A missing or malformed variable stops the process with a
 * message naming it (see `loadConfig`). Every variable here is listed in `.env.example`.
 */
const optionalUrl = z
  .string()
  .trim()
  .transform((v) => v || undefined)
  .pipe(z.string().url().optional())
  .optional();

const flag = z
  .enum(["0", "1", "true", "false", ""])
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : v === "1" || v === "true"));

export const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Unset: loopback while demo logins or the simulator are on, every interface otherwise (see `listenHost`). */
  HOST: z.string().trim().optional(),
  APP_URL: z.string().url().optional(),
  DATA_DIR: z.string().default("./.data"),
  DATABASE_URL: z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .pipe(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
        .optional(),
    )
    .optional(),
  REDIS_URL: z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .pipe(
      z
        .string()
        .regex(/^rediss?:\/\//, "must be a redis:// URL")
        .optional(),
    )
    .optional(),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  ENCRYPTION_KEY: z
    .string()
    .trim()
    .optional()
    .refine(
      (v) => !v || Buffer.from(v, "base64").length === 32,
      "must be 32 bytes, base64-encoded (openssl rand -base64 32)",
    ),
  ENCRYPTION_KEY_PREVIOUS: z.string().optional(),
  FB_APP_ID: z.string().optional(),
  FB_APP_SECRET: z.string().optional(),
  FB_LOGIN_CONFIG_ID: z.string().trim().regex(/^\d+$/, "must be the numeric configuration id").optional(),
  WEBHOOK_VERIFY_TOKEN: z.string().optional(),
  GRAPH_API_URL: z.string().url().default("https://graph.facebook.com"),
  LINE_API_URL: z.string().url().default("https://api.line.me"),
  LINE_DATA_API_URL: z.string().url().default("https://api-data.line.me"),
  OPENAI_BASE_URL: optionalUrl,
  GEMINI_BASE_URL: optionalUrl,
  OPENROUTER_BASE_URL: optionalUrl,
  SHOPIFY_API_URL: optionalUrl,
  SHOPIFY_API_KEY: z.string().trim().min(1).optional(),
  SHOPIFY_API_SECRET: z.string().trim().min(1).optional(),
  SIMULATOR: flag,
  DEMO_SEED: flag,
  DEMO_PASSWORD: z.string().min(8).default("tandem-demo"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SENTRY_DSN: optionalUrl,
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  /** Bearer token Prometheus sends to `/api/metrics`; unset, the endpoint does not exist (404). */
  METRICS_TOKEN: z
    .string()
    .trim()
    .transform((v) => v || undefined)
    .pipe(z.string().min(24, "must be at least 24 characters (openssl rand -hex 24)").optional())
    .optional(),
  /** The worker's metrics listener (`GET /metrics` with METRICS_TOKEN); the web process uses /api/metrics. */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** Set by the worker process; the web process runs the embedded queue itself when REDIS_URL is unset. */
  RUN_JOBS: flag,
  /** Outgoing mail: `smtp://user:pass@host:587` or `smtps://…:465`; or the SMTP_HOST family below. */
  SMTP_URL: z
    .string()
    .trim()
    .regex(/^smtps?:\/\/[^/\s]+/, "must be an smtp:// or smtps:// URL")
    .optional(),
  SMTP_HOST: z.string().trim().min(1).optional(),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SMTP_USER: z.string().optional(),
  SMTP_PASSWORD: z.string().optional(),
  /** 1: TLS from the first byte (port 465). Unset or 0: plain connection upgraded by STARTTLS when offered. */
  SMTP_SECURE: flag,
  /** The sender of every mail: `Tandem <no-reply@example.com>` or `no-reply@example.com`. */
  MAIL_FROM: z
    .string()
    .trim()
    .regex(
      /^(?:[^<>@]*<\s*[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+\s*>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/,
      "must be an address, optionally with a name: Tandem <no-reply@example.com>",
    )
    .optional(),
  /** Port of the simulator's mail catcher (SMTP on 127.0.0.1); used when no SMTP server is configured. */
  SIMULATOR_SMTP_PORT: z.coerce.number().int().min(0).max(65535).default(1025),
  /** Reverse proxies whose X-Forwarded-For names the client: a hop count, or IPs / CIDRs / loopback, … */
  TRUST_PROXY: z.string().optional(),
  /** Deadline for a request's headers, and for the whole request (headers and body), in milliseconds. */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(20_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** Days processed/ignored raw webhook entries are kept (the dashboard's webhook health looks back 7). */
  INBOUND_EVENT_RETENTION_DAYS: z.coerce
    .number()
    .int("must be a whole number of days")
    .min(7, "must be at least 7 (the webhook health looks back a week)")
    .max(3650)
    .default(14),
  /** Days audit rows are kept (`database-maintenance`); 0 keeps them forever. */
  AUDIT_LOG_RETENTION_DAYS: z.coerce.number().int("must be a whole number of days").min(0).max(36500).default(365),
  /**
   * Private and loopback addresses a URL typed in the dashboard (a provider's base URL) may reach:
   * `0` (default) none, `1` all, or host names, IPs and CIDRs separated by commas.
   */
  OUTBOUND_ALLOW_PRIVATE: z
    .string()
    .optional()
    .transform((value, ctx) => {
      try {
        return parseOutboundPolicy(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  /** Largest file one knowledge-base upload accepts, in MB (413 `file_too_large` beyond). */
  KNOWLEDGE_MAX_FILE_MB: z.coerce.number().int("must be a whole number of MB").min(1).max(200).default(25),
  /** Open dashboard sockets per client address, all sessions together (0: no cap). */
  REALTIME_MAX_SOCKETS_PER_IP: z.coerce.number().int("must be a whole number").min(0).max(100_000).default(50),
  /**
   * Comma-separated emails of the people who run this installation: as OWNER/ADMIN of their
   * workspace they also see and retry system jobs (housekeeping) in `GET /api/v1/jobs`.
   */
  JOBS_OPERATOR_EMAILS: z
    .string()
    .transform((v) =>
      v
        .split(",")
        .map((e) => e.trim().toLowerCase())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().email("must be a comma-separated list of email addresses")))
    .optional(),
});

export interface Config {
  env: "development" | "production" | "test";
  production: boolean;
  port: number;
  /** Where the server listens. */
  host: string;
  /** Whether HOST was set, rather than chosen by `listenHost`. */
  hostFromEnv: boolean;
  appUrl: string;
  appOrigin: string;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  embedded: boolean;
  authSecret: string | undefined;
  encryptionKey: string | undefined;
  encryptionKeysPrevious: string[];
  facebook: {
    appId: string | undefined;
    appSecret: string | undefined;
    /** A Facebook Login for Business configuration: the Login dialog asks for it instead of scopes. */
    loginConfigId: string | undefined;
    verifyToken: string | undefined;
    graphApiUrl: string;
  };
  lineApiUrl: string;
  /** LINE's content host (`api-data.line.me`): media customers send. */
  lineDataApiUrl: string;
  llm: { openaiBaseUrl?: string; geminiBaseUrl?: string; openrouterBaseUrl?: string };
  shopifyApiUrl: string | undefined;
  /** A public Shopify app's key and secret: the OAuth install (both set) and its webhooks' signatures. */
  shopifyApp: { apiKey: string; apiSecret: string } | undefined;
  simulator: boolean;
  demoSeed: boolean;
  demoPassword: string;
  logLevel: string;
  sentryDsn: string | undefined;
  otelEndpoint: string | undefined;
  /** `METRICS_TOKEN`: the bearer token of `/api/metrics` (undefined: no metrics endpoint). */
  metricsToken: string | undefined;
  /** `METRICS_PORT`: where the worker serves `/metrics` (undefined: it does not). */
  metricsPort: number | undefined;
  runJobs: boolean | undefined;
  /** Days raw webhook entries are kept once processed or ignored (`database-maintenance`). */
  inboundEventRetentionDays: number;
  /** Days audit rows are kept (`database-maintenance`); 0 keeps them forever. */
  auditLogRetentionDays: number;
  /** Lower-cased emails of the operators, who also see system jobs (`JOBS_OPERATOR_EMAILS`). */
  jobOperatorEmails: string[];
  /** Which peers' X-Forwarded-For is believed (`TRUST_PROXY`); see net/client-address.ts. */
  trustProxy: ProxyTrust;
  http: {
    /** A connection must send a request's headers within this many milliseconds. */
    headersTimeoutMs: number;
    /** …and the whole request, body included (the 1 MB API limit at a slow mobile link). */
    requestTimeoutMs: number;
  };
  /** Which non-public addresses user-chosen URLs may reach (`OUTBOUND_ALLOW_PRIVATE`). */
  outbound: OutboundPolicy;
  /** Knowledge base: the largest uploaded file (`KNOWLEDGE_MAX_FILE_MB`). */
  knowledge: { maxFileBytes: number };
  /** Cap on open dashboard sockets per client address (0: none); per session it is fixed (apps/web realtime). */
  realtimeMaxSocketsPerIp: number;
  /**
   * Outgoing mail: the operator's SMTP server, else (outside production, simulator on) the
   * simulator's catcher once a process points here with `routeMailToSimulator`; null: no mail at all.
   */
  mail: MailConfig | null;
  simulatorSmtpPort: number;
}

/**
 * Where mail goes. `smtp`: the operator's server (SMTP_URL or SMTP_HOST…). `simulator`: outside
 * production, with the simulator on and no SMTP configured, the simulator's mail catcher on
 * 127.0.0.1 receives every message over real SMTP (its port is set once it listens).
 */
export interface MailConfig {
  kind: "smtp" | "simulator";
  from: string;
  smtp: {
    url?: string;
    host?: string;
    port?: number;
    secure?: boolean;
    auth?: { user: string; pass: string };
    /** The simulator's catcher speaks plain SMTP on the loopback interface. */
    ignoreTLS?: boolean;
  };
}

export const SIMULATOR_MAIL_FROM = "Tandem <no-reply@tandem.local>";

/**
 * Without an SMTP server, outside production and with the simulator on, mail goes to the simulator's
 * catcher on 127.0.0.1 over real SMTP. The web process calls this with the port its catcher bound;
 * a separate worker with the configured SIMULATOR_SMTP_PORT. Never in production: the catcher's
 * mailbox is readable by anyone who reaches /_simulator.
 */
export function routeMailToSimulator(config: Config, port = config.simulatorSmtpPort): void {
  if (config.production || !config.simulator || config.mail?.kind === "smtp") return;
  config.mail = {
    kind: "simulator",
    from: SIMULATOR_MAIL_FROM,
    smtp: { host: "127.0.0.1", port, secure: false, ignoreTLS: true },
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads `.env` from the working directory into process.env (variables already set win). */
export function loadDotEnv(file = path.resolve(".env")): boolean {
  if (!existsSync(file)) return false;
  for (const [key, value] of Object.entries(parseEnv(readFileSync(file, "utf8")))) {
    if (process.env[key] === undefined) process.env[key] = value;
  }
  return true;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`DATABASE_URL=` in .env) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ""));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  const problems: string[] = [];
  if (production && !e.ENCRYPTION_KEY) problems.push("ENCRYPTION_KEY: required when NODE_ENV=production");
  if (production && !e.AUTH_SECRET) problems.push("AUTH_SECRET: required when NODE_ENV=production");
  if (production && !e.APP_URL) problems.push("APP_URL: required when NODE_ENV=production");
  // Several processes (web + worker) share a PostgreSQL/Redis deployment: a key generated into one
  // process's DATA_DIR would not decrypt in another, so shared deployments must set the secrets.
  const shared = Boolean(e.DATABASE_URL || e.REDIS_URL);
  if (shared && !production && !e.ENCRYPTION_KEY)
    problems.push("ENCRYPTION_KEY: required with DATABASE_URL or REDIS_URL (processes must share it)");
  if (shared && !production && !e.AUTH_SECRET)
    problems.push("AUTH_SECRET: required with DATABASE_URL or REDIS_URL (processes must share it)");
  problems.push(...mailProblems(e));
  if (e.HTTP_REQUEST_TIMEOUT_MS < e.HTTP_HEADERS_TIMEOUT_MS)
    problems.push("HTTP_REQUEST_TIMEOUT_MS: must be at least HTTP_HEADERS_TIMEOUT_MS (it covers the headers too)");
  let trustProxy: ProxyTrust | undefined;
  try {
    trustProxy = parseTrustProxy(e.TRUST_PROXY);
  } catch (err) {
    problems.push(`TRUST_PROXY: ${(err as Error).message}`);
  }
  if (problems.length || !trustProxy) throw new ConfigError(problems);

  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");
  // The simulator plays Facebook/LINE/LLM locally: on by default outside production, opt-in there.
  const simulator = e.SIMULATOR ?? !production;
  const demoSeed = e.DEMO_SEED ?? !production;
  return {
    env: e.NODE_ENV,
    production,
    port: e.PORT,
    host: e.HOST ?? listenHost({ demoSeed, simulator }),
    hostFromEnv: e.HOST !== undefined,
    appUrl,
    appOrigin: new URL(appUrl).origin,
    dataDir: path.resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    embedded: !e.DATABASE_URL,
    authSecret: e.AUTH_SECRET,
    encryptionKey: e.ENCRYPTION_KEY,
    encryptionKeysPrevious: (e.ENCRYPTION_KEY_PREVIOUS ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean),
    facebook: {
      appId: e.FB_APP_ID,
      appSecret: e.FB_APP_SECRET,
      loginConfigId: e.FB_LOGIN_CONFIG_ID,
      verifyToken: e.WEBHOOK_VERIFY_TOKEN,
      graphApiUrl: e.GRAPH_API_URL.replace(/\/$/, ""),
    },
    lineApiUrl: e.LINE_API_URL.replace(/\/$/, ""),
    lineDataApiUrl: e.LINE_DATA_API_URL.replace(/\/$/, ""),
    llm: {
      ...(e.OPENAI_BASE_URL ? { openaiBaseUrl: e.OPENAI_BASE_URL } : {}),
      ...(e.GEMINI_BASE_URL ? { geminiBaseUrl: e.GEMINI_BASE_URL } : {}),
      ...(e.OPENROUTER_BASE_URL ? { openrouterBaseUrl: e.OPENROUTER_BASE_URL } : {}),
    },
    shopifyApiUrl: e.SHOPIFY_API_URL,
    shopifyApp:
      e.SHOPIFY_API_KEY && e.SHOPIFY_API_SECRET
        ? { apiKey: e.SHOPIFY_API_KEY, apiSecret: e.SHOPIFY_API_SECRET }
        : undefined,
    simulator,
    demoSeed,
    demoPassword: e.DEMO_PASSWORD,
    logLevel: e.LOG_LEVEL,
    sentryDsn: e.SENTRY_DSN,
    otelEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    metricsToken: e.METRICS_TOKEN,
    metricsPort: e.METRICS_PORT,
    runJobs: e.RUN_JOBS,
    inboundEventRetentionDays: e.INBOUND_EVENT_RETENTION_DAYS,
    auditLogRetentionDays: e.AUDIT_LOG_RETENTION_DAYS,
    // The simulator answers at APP_URL: the demo's simulated provider must stay reachable.
    knowledge: { maxFileBytes: e.KNOWLEDGE_MAX_FILE_MB * 1024 * 1024 },
    outbound: allowHosts(e.OUTBOUND_ALLOW_PRIVATE, simulator ? [new URL(appUrl).hostname] : []),
    realtimeMaxSocketsPerIp: e.REALTIME_MAX_SOCKETS_PER_IP,
    mail: mailConfigOf(e),
    simulatorSmtpPort: e.SIMULATOR_SMTP_PORT,
    trustProxy,
    http: { headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS, requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS },
    jobOperatorEmails: e.JOBS_OPERATOR_EMAILS ?? [],
  };
}

type Env = z.infer<typeof EnvSchema>;

function mailProblems(e: Env): string[] {
  const problems: string[] = [];
  const host = e.SMTP_HOST || e.SMTP_PORT || e.SMTP_USER || e.SMTP_PASSWORD || e.SMTP_SECURE !== undefined;
  if (e.SMTP_URL && host)
    problems.push("SMTP_URL: set either SMTP_URL or SMTP_HOST/PORT/USER/PASSWORD/SECURE, not both");
  if (!e.SMTP_URL && host && !e.SMTP_HOST)
    problems.push("SMTP_HOST: required with SMTP_PORT, SMTP_USER, SMTP_PASSWORD or SMTP_SECURE");
  if (Boolean(e.SMTP_USER) !== Boolean(e.SMTP_PASSWORD))
    problems.push("SMTP_USER: SMTP_USER and SMTP_PASSWORD go together");
  if ((e.SMTP_URL || e.SMTP_HOST) && !e.MAIL_FROM) problems.push("MAIL_FROM: required when SMTP is configured");
  return problems;
}

function mailConfigOf(e: Env): MailConfig | null {
  if (e.SMTP_URL) return { kind: "smtp", from: e.MAIL_FROM!, smtp: { url: e.SMTP_URL } };
  if (e.SMTP_HOST) {
    const secure = e.SMTP_SECURE ?? false;
    return {
      kind: "smtp",
      from: e.MAIL_FROM!,
      smtp: {
        host: e.SMTP_HOST,
        port: e.SMTP_PORT ?? (secure ? 465 : 587),
        secure,
        ...(e.SMTP_USER ? { auth: { user: e.SMTP_USER, pass: e.SMTP_PASSWORD ?? "" } } : {}),
      },
    };
  }
  return null;
}

/**
 * The default listening address. Demo logins (a published password) and the simulator's control
 * endpoints (no login) must not be reachable from the network on a server nobody configured: with
 * either on, the server listens on loopback only unless HOST says otherwise.
 */
export function listenHost(config: { demoSeed: boolean; simulator: boolean }): string {
  return config.demoSeed || config.simulator ? "127.0.0.1" : "0.0.0.0";
}

/** Whether `host` accepts connections from this machine only (127.0.0.0/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(bare);
}
