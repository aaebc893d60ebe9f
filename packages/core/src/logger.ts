import { fstatSync } from "node:fs";
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
 * The process's output (log lines and the start-up banner), written so that a broken or stalled
 * destination never holds up the process.
 *
 * Why: with stdout on a pipe or socket whose reader stopped reading (a supervisor restarted but
 * kept it open, `npm start | tee` suspended), every write blocked the whole process once the pipe
 * was full — pino's destination retried forever, and Next.js switches stdout and stderr to blocking
 * writes when it loads next.config.ts — so SIGTERM was never handled. Here:
 *
 * - Lines go through Node's stdout stream. On a pipe or socket it is put back in non-blocking mode
 *   before each write (whoever changed it), so a full pipe makes a backlog in memory, not a wait;
 *   `process.exit` does not wait for that backlog. Files and terminals are written as Node does.
 * - A backlog over 4 MB drops new lines and counts them; once the reader catches up, one line says
 *   how many were lost.
 * - A destination that fails (EPIPE: the reader is gone) is abandoned for the next: stdout, then
 *   stderr, then nothing. Handling the streams' errors here also keeps `console.log` and Next's own
 *   writes to a closed pipe from crashing the process.
 * - `drain(timeoutMs)` waits for the backlog before exit, never for longer than it is given.
 */
export class ProcessOutput {
  private readonly streams: NodeJS.WriteStream[];
  private readonly pipes: Set<NodeJS.WriteStream>;
  private current = 0;
  private dropped = 0;

  constructor(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]) {
    this.streams = streams;
    this.pipes = new Set(streams.filter(isPipeOrSocket));
    streams.forEach((stream, index) => {
      stream.on("error", (error: NodeJS.ErrnoException) => this.fail(index, error));
    });
  }

  /** What pino calls for each line; also used for the banner. */
  write(chunk: string): boolean {
    const stream = this.streams[this.current];
    if (!stream) return true;
    if (stream.writableLength + chunk.length > MAX_BACKLOG_BYTES) {
      this.dropped += 1;
      return true;
    }
    if (this.pipes.has(stream)) keepNonBlocking(stream);
    if (this.dropped > 0) {
      stream.write(notice(`${this.dropped} log lines were dropped: nothing read the output for a while`));
      this.dropped = 0;
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
    if (next) this.write(notice(`writing to ${name} failed (${error.code ?? error.message}): the log continues here`));
  }
}

function isPipeOrSocket(stream: NodeJS.WriteStream): boolean {
  const { fd } = stream as { fd?: number };
  if (fd === undefined) return false;
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket();
  } catch {
    return false;
  }
}

/**
 * Node's pipe and socket streams queue what the other end does not take yet, unless their handle was
 * switched to blocking writes (`_handle.setBlocking(true)`, which Next.js calls on stdout and
 * stderr). This switches it back; terminals and files are left as they are, they do not stall.
 */
function keepNonBlocking(stream: NodeJS.WriteStream): void {
  const handle = (stream as unknown as { _handle?: { setBlocking?: (blocking: boolean) => number } })._handle;
  handle?.setBlocking?.(false);
}

/** A pino-shaped warning written by the output itself. */
function notice(msg: string): string {
  return `${JSON.stringify({ level: 40, time: new Date().toISOString(), pid: process.pid, msg })}\n`;
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
