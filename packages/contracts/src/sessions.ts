import { z } from "zod";
import { WorkspaceDto } from "./auth.ts";
import { Role } from "./common.ts";

/** One of the signed-in user's sessions (a browser where they are signed in), for Account → Sessions. */
export const SessionDto = z.object({
  id: z.string(),
  /** The session making this request. */
  current: z.boolean(),
  /** Readable, from the user agent: "Chrome on macOS", "Safari on iPhone". */
  device: z.string(),
  browser: z.string().nullable(),
  os: z.string().nullable(),
  mobile: z.boolean(),
  userAgent: z.string().nullable(),
  /** Address of the latest use (the sign-in's until then). */
  ip: z.string().nullable(),
  /** The workspace the session is in (null once that workspace is gone). */
  workspace: WorkspaceDto.nullable(),
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  /** When it ends unless used again (never past its absolute lifetime). */
  expiresAt: z.string(),
});
export type SessionDto = z.infer<typeof SessionDto>;

export const SessionList = z.object({ data: z.array(SessionDto) });
export type SessionList = z.infer<typeof SessionList>;

export const RevokedSessions = z.object({ revoked: z.number().int() });
export type RevokedSessions = z.infer<typeof RevokedSessions>;

/** A workspace the signed-in user belongs to (the workspace switcher). */
export const WorkspaceMembershipDto = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  /** The workspace of the current session. */
  current: z.boolean(),
});
export type WorkspaceMembershipDto = z.infer<typeof WorkspaceMembershipDto>;

export const WorkspaceMembershipList = z.object({ data: z.array(WorkspaceMembershipDto) });
export type WorkspaceMembershipList = z.infer<typeof WorkspaceMembershipList>;

export const SwitchWorkspaceInput = z.object({ workspaceId: z.string().min(1).max(64) });
export type SwitchWorkspaceInput = z.infer<typeof SwitchWorkspaceInput>;
