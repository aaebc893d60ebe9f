import { type Role, rooms } from "@tandem/contracts";
import { type Db, members, sessions, users, workspaces } from "@tandem/db";
import { and, eq, gt, lt, ne, or, type SQL } from "drizzle-orm";
import { writeAuditRow } from "../audit/record-audit.ts";
import { afterCommit, type Ctx } from "../context.ts";
import { DomainError } from "../errors.ts";
import { hmac, newOpaqueToken, sha256 } from "./crypto.ts";

const DAY_MS = 24 * 60 * 60 * 1000;
/** A session unused for this long expires (the expiry slides forward with use)… */
export const SESSION_TTL_MS = 30 * DAY_MS;
/** …and none lives longer than this after sign-in, however often it is used. */
export const SESSION_MAX_AGE_MS = 90 * DAY_MS;
/** A session's expiry slides forward when it is used after this much of its life has passed. */
const SESSION_REFRESH_AFTER_MS = DAY_MS;
/** `last_seen_at` (and the address beside it) is written at most this often, not on every request. */
export const SESSION_LAST_SEEN_EVERY_MS = 5 * 60 * 1000;

/**
 * What the session verbs need: the database and the realtime port, through which ending a session
 * disconnects its sockets on every process. Inside `withTransaction` the disconnect waits for the commit.
 */
export type SessionDeps = Pick<Ctx, "db" | "realtime">;

export interface AuthenticatedSession {
  sessionId: string;
  user: { id: string; email: string; name: string | null };
  workspace: { id: string; name: string };
  memberId: string;
  role: Role;
  expiresAt: Date;
  /** The expiry moved forward on this use: a cookie carrying the old one should be set again. */
  renewed: boolean;
}

/** The latest moment a session started at `createdAt` may expire: its absolute lifetime. */
const lifetimeEnd = (createdAt: Date) => new Date(createdAt.getTime() + SESSION_MAX_AGE_MS);

export async function createSession(
  db: Db,
  input: {
    userId: string;
    workspaceId: string;
    ip?: string | null | undefined;
    userAgent?: string | null | undefined;
    /** When the session started; a rotated session keeps its predecessor's (and its absolute lifetime). */
    createdAt?: Date;
  },
): Promise<{ token: string; expiresAt: Date; sessionId: string }> {
  const token = newOpaqueToken("ses");
  const now = new Date();
  const createdAt = input.createdAt ?? now;
  const expiresAt = new Date(Math.min(now.getTime() + SESSION_TTL_MS, lifetimeEnd(createdAt).getTime()));
  const [row] = await db
    .insert(sessions)
    .values({
      tokenHash: sha256(token),
      userId: input.userId,
      workspaceId: input.workspaceId,
      expiresAt,
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 400) ?? null,
      lastSeenAt: now,
      createdAt,
    })
    .returning({ id: sessions.id });
  // The next sign-in lands in the workspace the user last worked in.
  await db.update(users).set({ lastWorkspaceId: input.workspaceId }).where(eq(users.id, input.userId));
  return { token, expiresAt, sessionId: row!.id };
}

/** The session with its user and their membership of the session's workspace, while it is valid. */
async function findValidSession(db: Db, where: SQL, now: Date) {
  const [row] = await db
    .select({
      sessionId: sessions.id,
      expiresAt: sessions.expiresAt,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      userId: users.id,
      email: users.email,
      name: users.name,
      workspaceId: workspaces.id,
      workspaceName: workspaces.name,
      memberId: members.id,
      role: members.role,
    })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .innerJoin(workspaces, eq(workspaces.id, sessions.workspaceId))
    .innerJoin(members, and(eq(members.workspaceId, sessions.workspaceId), eq(members.userId, sessions.userId)))
    .where(
      and(
        where,
        gt(sessions.expiresAt, now),
        // Sessions expire at their absolute lifetime anyway (expiresAt never slides past it); this also
        // holds for rows written before the limit existed.
        gt(sessions.createdAt, new Date(now.getTime() - SESSION_MAX_AGE_MS)),
      ),
    )
    .limit(1);
  return row;
}

type SessionRow = NonNullable<Awaited<ReturnType<typeof findValidSession>>>;

const toAuthenticated = (row: SessionRow, expiresAt: Date, renewed: boolean): AuthenticatedSession => ({
  sessionId: row.sessionId,
  user: { id: row.userId, email: row.email, name: row.name },
  workspace: { id: row.workspaceId, name: row.workspaceName },
  memberId: row.memberId,
  role: row.role,
  expiresAt,
  renewed,
});

/**
 * Resolves a session cookie to the user and their membership of the session's workspace. Using a
 * session slides its expiry (up to its absolute lifetime) and records when and from where it was
 * last seen — each at most once per day / few minutes, so a busy dashboard does not write per request.
 */
export async function resolveSession(
  db: Db,
  token: string,
  /**
   * `ip`: where it is used from. `slide: false` for callers that cannot renew the cookie (a socket
   * handshake): the expiry only slides where the new one reaches the browser too.
   */
  seen: { ip?: string | undefined; slide?: boolean } = {},
): Promise<AuthenticatedSession | null> {
  if (!token || token.length > 200) return null;
  const now = new Date();
  const row = await findValidSession(db, eq(sessions.tokenHash, sha256(token)), now);
  if (!row) return null;

  const changes: { expiresAt?: Date; lastSeenAt?: Date; ip?: string } = {};
  const end = lifetimeEnd(row.createdAt).getTime();
  const slid = Math.min(now.getTime() + SESSION_TTL_MS, end);
  const current = row.expiresAt.getTime();
  if (seen.slide !== false && slid > current && (slid - current >= SESSION_REFRESH_AFTER_MS || slid === end))
    changes.expiresAt = new Date(slid);
  if (!row.lastSeenAt || now.getTime() - row.lastSeenAt.getTime() >= SESSION_LAST_SEEN_EVERY_MS) {
    changes.lastSeenAt = now;
    if (seen.ip) changes.ip = seen.ip;
  }
  if (changes.expiresAt || changes.lastSeenAt) {
    await db.update(sessions).set(changes).where(eq(sessions.id, row.sessionId));
  }
  return toAuthenticated(row, changes.expiresAt ?? row.expiresAt, Boolean(changes.expiresAt));
}

/** The session by id while it is valid, its member still in the workspace; without touching it (sockets re-check). */
export async function findActiveSession(db: Db, sessionId: string): Promise<AuthenticatedSession | null> {
  const row = await findValidSession(db, eq(sessions.id, sessionId), new Date());
  return row ? toAuthenticated(row, row.expiresAt, false) : null;
}

/** Disconnects the sockets of these sessions once the transaction deleting them has committed. */
function disconnectSessions(deps: SessionDeps, sessionIds: string[]): void {
  const { realtime } = deps;
  if (!realtime || sessionIds.length === 0) return;
  afterCommit(deps, () => realtime.disconnect(sessionIds.map(rooms.session)));
}

/**
 * Sign-out: deletes the session behind a cookie, disconnects its sockets and writes `user.sign_out`
 * to the audit log of the session's workspace.
 */
export async function revokeSession(
  deps: SessionDeps,
  token: string,
  origin: { ip?: string | undefined; userAgent?: string | undefined; requestId?: string | undefined } = {},
): Promise<void> {
  const deleted = await deps.db
    .delete(sessions)
    .where(eq(sessions.tokenHash, sha256(token)))
    .returning({ id: sessions.id, userId: sessions.userId, workspaceId: sessions.workspaceId });
  for (const s of deleted) {
    if (!s.workspaceId) continue;
    await writeAuditRow(
      deps.db,
      { workspaceId: s.workspaceId, actorType: "user", actorUserId: s.userId, ...origin },
      { action: "user.sign_out", entityType: "user", entityId: s.userId },
    );
  }
  disconnectSessions(
    deps,
    deleted.map((s) => s.id),
  );
}

/**
 * Ends a user's sessions — in one workspace only with `workspaceId`, all but `except` (the caller's
 * own) — and disconnects their sockets. Returns how many ended.
 */
export async function revokeUserSessions(
  deps: SessionDeps,
  userId: string,
  options: { workspaceId?: string | undefined; except?: string | undefined } = {},
): Promise<number> {
  const deleted = await deps.db
    .delete(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        options.workspaceId ? eq(sessions.workspaceId, options.workspaceId) : undefined,
        options.except ? ne(sessions.id, options.except) : undefined,
      ),
    )
    .returning({ id: sessions.id });
  const ids = deleted.map((s) => s.id);
  disconnectSessions(deps, ids);
  return ids.length;
}

/** Ends one of the user's sessions; another user's session is "not found". */
export async function revokeUserSession(deps: SessionDeps, userId: string, sessionId: string): Promise<void> {
  const deleted = await deps.db
    .delete(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
    .returning({ id: sessions.id });
  if (deleted.length === 0) throw new DomainError("session_not_found", "Session not found");
  disconnectSessions(deps, [sessionId]);
}

/** Housekeeping: deletes sessions past their expiry (sliding or absolute) and disconnects any socket left on them. */
export async function deleteExpiredSessions(deps: SessionDeps, now = new Date()): Promise<number> {
  const deleted = await deps.db
    .delete(sessions)
    .where(or(lt(sessions.expiresAt, now), lt(sessions.createdAt, new Date(now.getTime() - SESSION_MAX_AGE_MS))))
    .returning({ id: sessions.id });
  const ids = deleted.map((s) => s.id);
  disconnectSessions(deps, ids);
  return ids.length;
}

/** CSRF token bound to the session: HMAC(secret, session id). Nothing to store, useless without the cookie. */
export const csrfTokenFor = (secret: string, sessionId: string) => hmac(secret, `csrf:${sessionId}`);
