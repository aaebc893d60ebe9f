import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import { z } from "zod";

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
  HOST: z.string().default("0.0.0.0"),
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
  OPENAI_BASE_URL: optionalUrl,
  GEMINI_BASE_URL: optionalUrl,
  OPENROUTER_BASE_URL: optionalUrl,
  SHOPIFY_API_URL: optionalUrl,
  SIMULATOR: flag,
  DEMO_SEED: flag,
  DEMO_PASSWORD: z.string().min(8).default("tandem-demo"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  SENTRY_DSN: optionalUrl,
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  /** Set by the worker process; the web process runs the embedded queue itself when REDIS_URL is unset. */
  RUN_JOBS: flag,
  /** Days processed/ignored raw webhook entries are kept (the dashboard's webhook health looks back 7). */
  INBOUND_EVENT_RETENTION_DAYS: z.coerce
    .number()
    .int("must be a whole number of days")
    .min(7, "must be at least 7 (the webhook health looks back a week)")
    .max(3650)
    .default(14),
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
  host: string;
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
  llm: { openaiBaseUrl?: string; geminiBaseUrl?: string; openrouterBaseUrl?: string };
  shopifyApiUrl: string | undefined;
  simulator: boolean;
  demoSeed: boolean;
  demoPassword: string;
  logLevel: string;
  sentryDsn: string | undefined;
  otelEndpoint: string | undefined;
  runJobs: boolean | undefined;
  /** Days raw webhook entries are kept once processed or ignored (`database-maintenance`). */
  inboundEventRetentionDays: number;
  /** Lower-cased emails of the operators, who also see system jobs (`JOBS_OPERATOR_EMAILS`). */
  jobOperatorEmails: string[];
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
  if (problems.length) throw new ConfigError(problems);

  const appUrl = (e.APP_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, "");
  // The simulator plays Facebook/LINE/LLM locally: on by default outside production, opt-in there.
  const simulator = e.SIMULATOR ?? !production;
  return {
    env: e.NODE_ENV,
    production,
    port: e.PORT,
    host: e.HOST,
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
    llm: {
      ...(e.OPENAI_BASE_URL ? { openaiBaseUrl: e.OPENAI_BASE_URL } : {}),
      ...(e.GEMINI_BASE_URL ? { geminiBaseUrl: e.GEMINI_BASE_URL } : {}),
      ...(e.OPENROUTER_BASE_URL ? { openrouterBaseUrl: e.OPENROUTER_BASE_URL } : {}),
    },
    shopifyApiUrl: e.SHOPIFY_API_URL,
    simulator,
    demoSeed: e.DEMO_SEED ?? !production,
    demoPassword: e.DEMO_PASSWORD,
    logLevel: e.LOG_LEVEL,
    sentryDsn: e.SENTRY_DSN,
    otelEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
    runJobs: e.RUN_JOBS,
    inboundEventRetentionDays: e.INBOUND_EVENT_RETENTION_DAYS,
    jobOperatorEmails: e.JOBS_OPERATOR_EMAILS ?? [],
  };
}
