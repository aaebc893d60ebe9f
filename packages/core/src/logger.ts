import type { Writable } from "node:stream";
import pino from "pino";

export type Logger = pino.Logger;

/** Paths redacted from every log line: tokens, keys, passwords and cookies never reach the logs. */
export const REDACT_PATHS = [
  "password",
  "*.password",
  "apiKey",
  "*.apiKey",
  "token",
  "*.token",
  "accessToken",
  "*.accessToken",
  "pageAccessToken",
  "*.pageAccessToken",
  "secret",
  "*.secret",
  "authorization",
  "*.authorization",
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
];

/** Log lines waiting for a slow or stalled reader before new ones are dropped (memory stays bounded). */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

/**
 * The process's output (log lines and the start-up banner), guarded so that a broken or stalled
 * destination never holds up the process. pino's default destination writes to fd 1 from the
 * thread pool and, at exit, flushes synchronously with retries: with a reader that stops reading (a
 * supervisor restarted while keeping the pipe open, `npm start | tee` suspended) a shutdown then
 * never finished. Here:
 *
 * - Lines go through Node's own stdout stream: on a pipe it writes without blocking, and
 *   `process.exit` does not wait for it.
 * - A backlog over 4 MB (nobody reading) drops new lines and counts them; once the reader catches
 *   up, one line says how many were lost.
 * - A destination that fails (EPIPE: the reader is gone) is abandoned for the next one: stdout, then
 *   stderr, then nothing. `console.log` and Next's own writes to a broken pipe no longer crash the
 *   process either, as the error is handled here.
 * - `drain(timeoutMs)` waits for pending lines before exit, never longer than it is given.
 */
export class ProcessOutput {
  private readonly streams: Writable[];
  private current = 0;
  private dropped = 0;

  constructor(streams: Writable[] = [process.stdout, process.stderr]) {
    this.streams = streams;
    streams.forEach((stream, index) => {
      stream.on("error", (error: NodeJS.ErrnoException) => this.fail(index, error));
    });
  }

  /** What pino calls for each line; also used for the banner. */
  write(chunk: string): boolean {
    const stream = this.streams[this.current];
    if (!stream) return true;
    if (stream.writableLength > MAX_BACKLOG_BYTES) {
      this.dropped += 1;
      return true;
    }
    if (this.dropped > 0) {
      const dropped = this.dropped;
      this.dropped = 0;
      stream.write(notice(40, `${dropped} log lines were dropped: nothing read the output for a while`));
    }
    stream.write(chunk);
    return true;
  }

  /** Resolves once everything written has been handed to the destination, or after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    const stream = this.streams[this.current];
    if (!stream || stream.writableLength === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      // Writes complete in order: this empty one's callback runs once every line before it is out.
      stream.write("", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private fail(index: number, error: NodeJS.ErrnoException) {
    if (index !== this.current) return;
    this.current += 1;
    const next = this.streams[this.current];
    const name = index === 0 ? "stdout" : index === 1 ? "stderr" : `output ${index}`;
    next?.write(notice(40, `writing to ${name} failed (${error.code ?? error.message}): the log continues here`));
  }
}

/** A pino-shaped line written by the output itself (pino's levels: 40 warn). */
function notice(level: number, msg: string): string {
  return `${JSON.stringify({ level, time: new Date().toISOString(), pid: process.pid, msg })}\n`;
}

let processOutput: ProcessOutput | undefined;

/** The one guarded output of this process (created on first use). */
export function getProcessOutput(): ProcessOutput {
  processOutput ??= new ProcessOutput();
  return processOutput;
}

export function createLogger(options: { level?: string; name?: string; output?: ProcessOutput } = {}): Logger {
  return pino(
    {
      name: options.name ?? "tandem",
      level: options.level ?? "info",
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.output ?? getProcessOutput(),
  );
}

/** A logger that discards everything, for tests and scripts. */
export const silentLogger: Logger = pino({ level: "silent" });
