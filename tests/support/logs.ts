import type { Logger } from "@tandem/core";
import pino from "pino";

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger (debug and up) whose lines are kept in `lines`, for tests that check what is logged. */
export function capturingLogger(): { log: Logger; lines: LogLine[]; at: (level: "warn" | "error") => LogLine[] } {
  const lines: LogLine[] = [];
  const log = pino({ level: "debug" }, { write: (line: string) => lines.push(JSON.parse(line) as LogLine) });
  return { log, lines, at: (level) => lines.filter((l) => l.level === pino.levels.values[level]) };
}
