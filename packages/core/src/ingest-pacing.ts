/**
 * Acknowledgements first: background work of this process waits for a moment when no webhook write
 * is waiting or running and no burst is under way.
 *
 * In embedded mode every query shares PGlite's one connection, and processing an event costs ten
 * times what storing it does. Pipeline jobs and maintenance therefore start only at a moment when the
 * inbound store is idle and fewer than `BURST_REQUESTS` webhooks arrived in the last `BURST_WINDOW_MS`
 * (`ingestIdle`), one task per such moment: a burst is acknowledged at full speed and processed right
 * after it — or, if it goes on past a task's deadline, one task at a time between two webhook writes,
 * `OVERDUE_RELEASE_GAP_MS` apart — and a quiet server processes at once. (With PostgreSQL + Redis the
 * jobs run in the worker process, whose writer is always idle.)
 *
 * One pacer per database handle: the inbound store (`inbound/store.ts`) reports its requests and
 * writes; anyone may wait. Nothing here knows about channels.
 */
import type { Db } from "@tandem/db";

/** More webhooks than this within two windows (about 250 a second) is a burst: processing waits. */
const BURST_REQUESTS = 25;
const BURST_WINDOW_MS = 50;
/** During a burst, waiters past their deadline start one per this many milliseconds. */
export const OVERDUE_RELEASE_GAP_MS = 250;

export class IngestPacer {
  /** Milliseconds; tests pass their own clock. */
  readonly #now: () => number;
  #idleWaiters: { resolve: () => void; deadline: number }[] = [];
  #lastOverdueRelease = 0;
  /** Webhook requests in the current and the previous `BURST_WINDOW_MS`. */
  #windowStart = 0;
  #windowCount = 0;
  #previousWindowCount = 0;
  #watchTimer: NodeJS.Timeout | null = null;
  /** Whether a write is waiting or running (set by the inbound store). */
  #writing: () => boolean = () => false;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** The inbound store tells whether it has a write waiting or running. */
  attachWriter(writing: () => boolean): void {
    this.#writing = writing;
  }

  /** One more webhook request arrived. */
  noteRequest(): void {
    this.#rollWindow();
    this.#windowCount++;
  }

  /** A write finished: maybe someone may start now. */
  writeSettled(): void {
    this.#releaseOne();
    this.#releaseOverdue();
  }

  get #busy(): boolean {
    return this.#writing() || this.#bursting;
  }

  /** A webhook write is waiting or running, or a burst is under way (a waiter released now was overdue). */
  get busy(): boolean {
    return this.#busy;
  }

  /** Webhooks keep arriving: at least `BURST_REQUESTS` in the current and the previous window. */
  get #bursting(): boolean {
    this.#rollWindow();
    return this.#windowCount + this.#previousWindowCount >= BURST_REQUESTS;
  }

  #rollWindow(): void {
    const now = this.#now();
    if (now - this.#windowStart < BURST_WINDOW_MS) return;
    this.#previousWindowCount = now - this.#windowStart < 2 * BURST_WINDOW_MS ? this.#windowCount : 0;
    this.#windowCount = 0;
    this.#windowStart = now;
  }

  idle(maxWaitMs: number): Promise<void> {
    if (!this.#busy && this.#idleWaiters.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#idleWaiters.push({ resolve, deadline: this.#now() + maxWaitMs });
      this.#watch();
    });
  }

  /**
   * While anyone waits, look again every half window: a burst ends without a flush to notice it,
   * and a waiter's deadline passes without one.
   */
  #watch(): void {
    if (this.#watchTimer || this.#idleWaiters.length === 0) return;
    this.#watchTimer = setTimeout(() => {
      this.#watchTimer = null;
      this.#releaseOne();
      this.#releaseOverdue();
      this.#watch();
    }, BURST_WINDOW_MS / 2);
    this.#watchTimer.unref();
  }

  /**
   * Lets one waiter start, then the next one a turn of the event loop later if still idle: requests
   * that arrived meanwhile get written first, so background work never piles up in front of them.
   */
  #releaseOne(): void {
    if (this.#busy) return;
    this.#idleWaiters.shift()?.resolve();
    if (this.#idleWaiters.length > 0) setImmediate(() => this.#releaseOne());
  }

  /**
   * During a burst that outlasts a waiter's deadline, that waiter starts anyway — but one at a time,
   * `OVERDUE_RELEASE_GAP_MS` apart, and only between two webhook writes. Overdue waiters released
   * together (four jobs whose one-second timers expired in the same tick) ran their transactions
   * back to back and held every in-flight acknowledgement for 40–80 ms.
   */
  #releaseOverdue(): void {
    if (this.#writing()) return;
    const now = this.#now();
    if (now - this.#lastOverdueRelease < OVERDUE_RELEASE_GAP_MS) return;
    let next = -1;
    for (let i = 0; i < this.#idleWaiters.length; i++) {
      const waiter = this.#idleWaiters[i]!;
      if (waiter.deadline <= now && (next < 0 || waiter.deadline < this.#idleWaiters[next]!.deadline)) next = i;
    }
    if (next < 0) return;
    this.#lastOverdueRelease = now;
    this.#idleWaiters.splice(next, 1)[0]!.resolve();
  }
}

const pacers = new WeakMap<Db, IngestPacer>();

/** The pacer of a database handle, created on first use. */
export function ingestPacer(db: Db): IngestPacer {
  let pacer = pacers.get(db);
  if (!pacer) {
    pacer = new IngestPacer();
    pacers.set(db, pacer);
  }
  return pacer;
}

/**
 * Resolves at a moment when this process has no webhook write waiting or running (or after
 * `maxWaitMs`, so background work always progresses). Pipeline jobs await it before each step.
 */
export function ingestIdle(db: Db, maxWaitMs = 1000): Promise<void> {
  return ingestPacer(db).idle(maxWaitMs);
}

/** Whether webhooks are being written or pouring in right now: background work keeps its steps short. */
export function ingestBusy(db: Db): boolean {
  return ingestPacer(db).busy;
}
