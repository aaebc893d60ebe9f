import { createHash, createHmac, randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import diagnostics from "node:diagnostics_channel";

/**
 * scrypt at OWASP's minimum (N=2^17, r=8, p=1): 128 MiB and ~0.2–0.4 s per hash on a small server,
 * memory-hard, no native addon needed. Hashes made with weaker parameters (N=2^15 before) are
 * replaced at the owner's next sign-in (`needsRehash`). A hash runs on libuv's thread pool; callers
 * never hold a database transaction while it runs (on the embedded database that would stop every
 * other query, webhook acknowledgements included).
 */
const N = 2 ** 17;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
/** 128 × N × r bytes, plus headroom (Node refuses scrypt above `maxmem`). */
const MAXMEM = 256 * 1024 * 1024;

/** `start` / `end` of every scrypt computation, for tracing (and for the test that no transaction is open meanwhile). */
export const passwordHashChannel = diagnostics.channel("tandem:password-hash");

/**
 * At most this many hashes run at once (128 MiB each); the others wait their turn. libuv's thread
 * pool has four threads, shared with DNS lookups and file I/O: a burst of sign-ins must not take them
 * all, nor half a gigabyte of memory.
 */
const MAX_CONCURRENT_HASHES = 2;
let runningHashes = 0;
const waitingHashes: (() => void)[] = [];

async function withHashSlot<T>(work: () => Promise<T>): Promise<T> {
  if (runningHashes >= MAX_CONCURRENT_HASHES) await new Promise<void>((resolve) => waitingHashes.push(resolve));
  else runningHashes++;
  try {
    return await work();
  } finally {
    const next = waitingHashes.shift();
    if (next) next();
    else runningHashes--;
  }
}

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return withHashSlot(() => {
    if (passwordHashChannel.hasSubscribers) passwordHashChannel.publish({ phase: "start" });
    return new Promise<Buffer>((resolve, reject) =>
      scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, { N: n, r, p, maxmem: MAXMEM }, (err, key) =>
        err ? reject(err) : resolve(key),
      ),
    ).finally(() => {
      if (passwordHashChannel.hasSubscribers) passwordHashChannel.publish({ phase: "end" });
    });
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

/** True when `stored` was made with weaker parameters than today's: hash the password again. */
export function needsRehash(stored: string): boolean {
  const [scheme, n, r, p] = stored.split("$");
  return scheme !== "scrypt" || Number(n) < N || Number(r) < R || Number(p) < P;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, key] = stored.split("$");
  if (scheme !== "scrypt" || !n || !r || !p || !salt || !key) return false;
  // A stored hash is data: parameters this server would never write are refused, not run.
  const [cost, blockSize, parallel] = [Number(n), Number(r), Number(p)];
  const powerOfTwo = cost > 1 && (cost & (cost - 1)) === 0;
  if (![cost, blockSize, parallel].every(Number.isInteger) || !powerOfTwo || cost > N || blockSize > R || parallel > P)
    return false;
  const expected = Buffer.from(key, "base64url");
  const actual = await scryptAsync(password, Buffer.from(salt, "base64url"), cost, blockSize, parallel);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of a throwaway password, verified when the email is unknown so both paths cost the same. */
let dummyHash: Promise<string> | undefined;
export const getDummyHash = () => {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return dummyHash;
};

/** Opaque bearer secret: `<prefix>_<43 chars>`; only its SHA-256 is stored. */
export const newOpaqueToken = (prefix: string) => `${prefix}_${randomBytes(32).toString("base64url")}`;

export const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");

export const hmac = (secret: string, value: string) => createHmac("sha256", secret).update(value).digest("base64url");

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();
