import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { DomainError } from "../errors.ts";

/**
 * Keyset cursors for the inbox lists: base64url of `{timestamp}|{id}`, opaque to clients. The
 * timestamp keeps PostgreSQL's microseconds (a JS Date would drop them and skip rows that share the
 * millisecond), and the id breaks ties, so pages never overlap or leave gaps, even when many rows
 * share one timestamp.
 */

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export interface Cursor {
  /** ISO-8601 in UTC with microseconds. */
  at: string;
  id: string;
}

/** The column as the text a cursor stores: UTC with microseconds. */
export const cursorTimestamp = (column: AnyColumn) =>
  sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export const encodeCursor = (cursor: Cursor): string => Buffer.from(`${cursor.at}|${cursor.id}`).toString("base64url");

export function decodeCursor(value: string): Cursor {
  const [at, id, ...rest] = Buffer.from(value, "base64url").toString("utf8").split("|");
  if (!at || !id || rest.length > 0 || !TIMESTAMP.test(at) || !ID.test(id)) {
    throw new DomainError("invalid_cursor", "The cursor is not valid: start again from the first page");
  }
  return { at, id };
}

/** Rows after the cursor when ordered by `(time desc, id desc)`. */
export const olderThan = (time: AnyColumn, id: AnyColumn, cursor: Cursor): SQL =>
  sql`(${time}, ${id}) < (${cursor.at}::timestamptz, ${cursor.id})`;

/** Builds `nextCursor` from one more row than the page holds. */
export function pageOf<T extends { cursorAt: string; id: string }>(
  rows: T[],
  limit: number,
): { rows: T[]; nextCursor: string | null } {
  const pageRows = rows.slice(0, limit);
  const last = pageRows.at(-1);
  return {
    rows: pageRows,
    nextCursor: rows.length > limit && last ? encodeCursor({ at: last.cursorAt, id: last.id }) : null,
  };
}
