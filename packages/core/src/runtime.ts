import { randomBytes } from "node:crypto";
import { createDb, type Database, migrate } from "@tandem/db";
import type { Redis } from "ioredis";
import { settleBackgroundTasks } from "./background-tasks.ts";
import { type ChannelRegistry, createChannelRegistry } from "./channels/registry.ts";
import type { Config } from "./config.ts";
import { flushInboundCounters } from "./inbound/store.ts";
import type { JobQueue } from "./jobs/queue.ts";
import { createLogger, type Logger } from "./logger.ts";
import { createMemoryRateLimiter, createRedisRateLimiter, type RateLimiter } from "./rate-limit/limiter.ts";
import { createRealtimeHub } from "./realtime.ts";
import { createKeyring, type Keyring, loadOrCreateSecretFile } from "./secrets/keyring.ts";

/**
 * Everything a process needs, created once: database (migrated), secrets, rate limiter, realtime hub.
 * The web server and the worker both build one; the job queue is attached by the caller.
 */
export interface Runtime {
  config: Config;
  log: Logger;
  database: Database;
  keyring: Keyring;
  authSecret: string;
  limiter: RateLimiter;
  redis: Redis | null;
  realtime: ReturnType<typeof createRealtimeHub>;
  /** The channel adapters, built once (`channels/registry.ts`). */
  channels: ChannelRegistry;
  /** Attached by the process once its queue exists (web: embedded or BullMQ producer; worker: BullMQ). */
  queue: JobQueue | null;
  version: string;
  startedAt: Date;
  close(): Promise<void>;
}

export const VERSION = "0.1.0";

export interface RuntimeOptions {
  log?: Logger;
  migrate?: boolean;
  /** An already opened database (tests pass an in-memory PGlite). */
  database?: Database;
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.log ?? createLogger({ level: config.logLevel });

  let encryptionKey = config.encryptionKey;
  if (!encryptionKey) {
    // loadConfig already refused production without a key; embedded/dev keeps one beside the data.
    const file = loadOrCreateSecretFile(config.dataDir, "encryption.key");
    encryptionKey = file.value;
    log.warn(
      { file: file.file, created: file.created },
      "ENCRYPTION_KEY is not set: using a key stored in DATA_DIR. Set ENCRYPTION_KEY for any real deployment and keep a backup of it.",
    );
  }
  const keyring = createKeyring(encryptionKey, config.encryptionKeysPrevious);

  let authSecret = config.authSecret;
  if (!authSecret) {
    const file = loadOrCreateSecretFile(config.dataDir, "auth.secret", () => randomBytes(32).toString("base64url"));
    authSecret = file.value;
    if (file.created) log.warn({ file: file.file }, "AUTH_SECRET is not set: generated one in DATA_DIR");
  }

  const database =
    options.database ??
    (await createDb({
      databaseUrl: config.databaseUrl,
      dataDir: config.databaseUrl ? undefined : `${config.dataDir}/pglite`,
    }));
  if (options.migrate !== false) await migrate(database);

  let redis: Redis | null = null;
  if (config.redisUrl) {
    const { Redis: RedisClient } = await import("ioredis");
    redis = new RedisClient(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
    redis.on("error", (err) => log.error({ err }, "redis connection error"));
  }
  const limiter = redis ? createRedisRateLimiter(redis) : createMemoryRateLimiter();

  return {
    config,
    log,
    database,
    keyring,
    authSecret,
    limiter,
    redis,
    realtime: createRealtimeHub(),
    channels: createChannelRegistry({ config, keyring }),
    queue: null,
    version: VERSION,
    startedAt: new Date(),
    async close() {
      await settleBackgroundTasks();
      await flushInboundCounters(database.db).catch((err) => log.warn({ err }, "could not write webhook counters"));
      if (redis) await redis.quit().catch(() => redis?.disconnect());
      await database.close();
    },
  };
}
