import type { Runtime } from "@tandem/core";
import type { Socket } from "socket.io";

type Redis = NonNullable<Runtime["redis"]>;

/**
 * Counts open dashboard sockets per key (a session, a client address) so the handshake can refuse
 * one over a cap before it costs a database lookup. Without Redis the counts live in this process
 * (the embedded mode has one web process); with Redis they are shared by every web process.
 *
 * In Redis each key is a sorted set of socket ids scored by a lease expiry. A process renews its own
 * sockets' leases every `leaseMs / 3`, so the sockets of a process that died without closing them
 * stop counting after at most `leaseMs`.
 */
export interface SlotClaim {
  key: string;
  limit: number;
}

export type AcquireResult = { ok: true } | { ok: false; key: string; limit: number };

export interface SocketSlots {
  /** Takes a slot for `socketId` under every key, or none when one of them is full (which one is returned). */
  acquire(socketId: string, claims: SlotClaim[]): Promise<AcquireResult>;
  release(socketId: string, keys: string[]): Promise<void>;
  close(): void;
}

export function createMemorySocketSlots(): SocketSlots {
  const held = new Map<string, Set<string>>();
  return {
    async acquire(socketId, claims) {
      for (const { key, limit } of claims) {
        if ((held.get(key)?.size ?? 0) >= limit) return { ok: false, key, limit };
      }
      for (const { key } of claims) {
        const ids = held.get(key) ?? new Set<string>();
        ids.add(socketId);
        held.set(key, ids);
      }
      return { ok: true };
    },
    async release(socketId, keys) {
      for (const key of keys) {
        const ids = held.get(key);
        ids?.delete(socketId);
        if (ids?.size === 0) held.delete(key);
      }
    },
    close() {
      held.clear();
    },
  };
}

/** KEYS: slot keys; ARGV: lease ms, socket id, then one limit per key. Returns 0, or the 1-based index of the full key. */
const ACQUIRE_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then return i end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + lease, ARGV[2])
  redis.call('PEXPIRE', key, lease)
end
return 0
`;

/** KEYS: slot keys; ARGV: lease ms, then one socket id per key. Extends leases still held. */
const RENEW_SCRIPT = `
local t = redis.call('TIME')
local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', expiry, ARGV[1 + i])
  redis.call('PEXPIRE', key, ARGV[1])
end
return 0
`;

const RENEW_BATCH = 500;

export function createRedisSocketSlots(
  redis: Redis,
  options: { leaseMs?: number; prefix?: string; onError?: (err: unknown) => void } = {},
): SocketSlots {
  const leaseMs = options.leaseMs ?? 90_000;
  const prefix = options.prefix ?? "tandem:sockets:";
  // This process's sockets and their keys, to renew their leases.
  const local = new Map<string, string[]>();

  const renew = async () => {
    const pairs = [...local].flatMap(([socketId, keys]) => keys.map((key) => [prefix + key, socketId] as const));
    for (let i = 0; i < pairs.length; i += RENEW_BATCH) {
      const batch = pairs.slice(i, i + RENEW_BATCH);
      await redis.eval(RENEW_SCRIPT, batch.length, ...batch.map(([key]) => key), leaseMs, ...batch.map(([, id]) => id));
    }
  };
  const timer = setInterval(() => {
    renew().catch((err) => options.onError?.(err));
  }, leaseMs / 3);
  timer.unref();

  return {
    async acquire(socketId, claims) {
      const full = Number(
        await redis.eval(
          ACQUIRE_SCRIPT,
          claims.length,
          ...claims.map((c) => prefix + c.key),
          leaseMs,
          socketId,
          ...claims.map((c) => c.limit),
        ),
      );
      if (full > 0) {
        const claim = claims[full - 1]!;
        return { ok: false, key: claim.key, limit: claim.limit };
      }
      local.set(socketId, [...(local.get(socketId) ?? []), ...claims.map((c) => c.key)]);
      return { ok: true };
    },
    async release(socketId, keys) {
      local.delete(socketId);
      if (keys.length === 0) return;
      const pipeline = redis.pipeline();
      for (const key of keys) pipeline.zrem(prefix + key, socketId);
      await pipeline.exec();
    },
    close() {
      clearInterval(timer);
      local.clear();
    },
  };
}

export type HeldSlots =
  | { ok: true; release: () => void }
  /** `full`: the claim that had no room left; absent when the connection closed while the slots were taken. */
  | { ok: false; full?: { key: string; limit: number } };

/**
 * Takes a socket's slots under every claim until it leaves (or its connection closes before it ever
 * connected), for the dashboard's and the widget's handshakes alike.
 */
export async function holdSocketSlots(
  slots: SocketSlots,
  socket: Socket,
  claims: SlotClaim[],
  onReleaseError: (err: unknown) => void,
): Promise<HeldSlots> {
  const claimed = await slots.acquire(socket.id, claims);
  if (!claimed.ok) return { ok: false, full: { key: claimed.key, limit: claimed.limit } };
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    slots
      .release(
        socket.id,
        claims.map((c) => c.key),
      )
      .catch(onReleaseError);
  };
  // Whichever comes first: the socket leaves, or its connection closes before it ever connected.
  socket.once("disconnect", release);
  socket.conn.once("close", release);
  // Closed while the slot was being taken (a Redis round trip): no event will come to release it.
  if (socket.conn.readyState !== "open") {
    release();
    return { ok: false };
  }
  return { ok: true, release };
}
