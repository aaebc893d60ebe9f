import { Worker } from "node:worker_threads";
import { getProcessOutput, type Logger } from "./logger.ts";

/** How long pending log lines may delay an exit. */
const OUTPUT_DRAIN_MS = 1_000;
/** After the deadline, how long the exit itself may take before the watchdog kills the process. */
const WATCHDOG_GRACE_MS = 5_000;
/**
 * A Ctrl-C reaches the process twice: from the terminal (the whole process group) and forwarded by
 * `npm run`. A signal this soon after the first is that echo, not a person insisting.
 */
const REPEATED_SIGNAL_MS = 1_000;

export interface ShutdownOptions {
  log: Logger;
  /** Past this many milliseconds after the signal, the process exits (code 1) whatever is still running. */
  deadlineMs: number;
  /** Stops the process's work: connections, jobs, database. */
  stop: (signal: NodeJS.Signals) => Promise<void>;
}

/**
 * SIGTERM / SIGINT run `stop` once, then exit 0 (1 if it failed). The exit always happens:
 *
 * - a second signal (a second Ctrl-C, later than the echo of the first) exits at once;
 * - at `deadlineMs` a timer exits with code 1, whatever `stop` is still waiting for;
 * - in case the event loop itself is blocked (a synchronous call that never returns, so no timer
 *   can fire), a watchdog thread started with the shutdown kills the process with SIGKILL
 *   `WATCHDOG_GRACE_MS` after the deadline.
 *
 * Log output never holds the exit up: see `ProcessOutput`.
 */
export function handleShutdownSignals({ log, deadlineMs, stop }: ShutdownOptions): void {
  let stoppingSince: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      if (Date.now() - stoppingSince < REPEATED_SIGNAL_MS) return;
      log.warn({ signal }, "second signal: exiting without waiting");
      void exitProcess(1);
      return;
    }
    stoppingSince = Date.now();
    startWatchdog(deadlineMs + WATCHDOG_GRACE_MS);
    setTimeout(() => {
      log.error({ deadlineMs }, "shutdown did not finish in time: exiting anyway");
      void exitProcess(1);
    }, deadlineMs).unref();
    stop(signal).then(
      () => exitProcess(0),
      (error: unknown) => {
        log.error({ err: error }, "shutdown failed");
        return exitProcess(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
}

/** Exits once the log lines written so far are out, or after a second at most. */
export async function exitProcess(code: number): Promise<never> {
  await getProcessOutput().drain(OUTPUT_DRAIN_MS);
  process.exit(code);
}

/** A thread of its own, so it runs even when the main thread is stuck in synchronous code. */
function startWatchdog(afterMs: number): void {
  const watchdog = new Worker(
    `const { workerData } = require("node:worker_threads");
     setTimeout(() => process.kill(workerData.pid, "SIGKILL"), workerData.afterMs);`,
    { eval: true, workerData: { pid: process.pid, afterMs } },
  );
  watchdog.unref();
}
