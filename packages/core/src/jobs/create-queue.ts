import type { Db } from "@tandem/db";
import { createBullmqJobQueue } from "./bullmq-queue.ts";
import { createDbJobQueue } from "./db-queue.ts";
import type { JobQueue, JobQueueOptions } from "./queue.ts";

export interface CreateJobQueueOptions<TDeps extends object> extends JobQueueOptions<TDeps> {
  /** BullMQ when set, otherwise the queue stored in `db`. */
  redisUrl?: string | undefined;
  db: Db;
}

/** Picks the driver the way the deployment mode says: REDIS_URL → BullMQ, else the embedded queue. */
export function createJobQueue<TDeps extends object>(options: CreateJobQueueOptions<TDeps>): JobQueue {
  const { redisUrl, db, ...common } = options;
  return redisUrl ? createBullmqJobQueue({ ...common, redisUrl }) : createDbJobQueue({ ...common, db });
}
