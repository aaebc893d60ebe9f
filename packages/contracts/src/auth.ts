import { z } from "zod";
import { Role } from "./common.ts";
import { Permission } from "./permissions.ts";

export const SignInInput = z.object({
  email: z.string().trim().email().max(320),
  password: z.string().min(1).max(200),
});
export type SignInInput = z.infer<typeof SignInInput>;

/** Accept an invitation: creates the account when the email is new, else signs the user in. */
export const AcceptInvitationInput = z.object({
  token: z.string().min(10).max(200),
  name: z.string().trim().min(1).max(120).optional(),
  password: z.string().min(8).max(200),
});
export type AcceptInvitationInput = z.infer<typeof AcceptInvitationInput>;

const NewPassword = z.string().min(8, "must be at least 8 characters").max(200);

/** Change one's own password: the current one proves it is the account holder at the keyboard. */
export const ChangePasswordInput = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: NewPassword,
});
export type ChangePasswordInput = z.infer<typeof ChangePasswordInput>;

/** "Forgot password": always answered 202, whether an account has this address or not. */
export const ForgotPasswordInput = z.object({ email: z.string().trim().email().max(320) });
export type ForgotPasswordInput = z.infer<typeof ForgotPasswordInput>;

export const ResetPasswordInput = z.object({
  token: z.string().min(10).max(200),
  password: NewPassword,
});
export type ResetPasswordInput = z.infer<typeof ResetPasswordInput>;

/** What a reset link is for, shown before choosing the new password. */
export const PasswordResetPreview = z.object({ email: z.string(), expiresAt: z.string() });
export type PasswordResetPreview = z.infer<typeof PasswordResetPreview>;

/** First-run owner creation, only possible while no user exists. */
export const SetupInput = z.object({
  workspaceName: z.string().trim().min(1).max(120),
  name: z.string().trim().min(1).max(120),
  email: z.string().trim().email().max(320),
  password: z.string().min(8).max(200),
});
export type SetupInput = z.infer<typeof SetupInput>;

export const UserDto = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
});
export type UserDto = z.infer<typeof UserDto>;

export const WorkspaceDto = z.object({ id: z.string(), name: z.string() });
export type WorkspaceDto = z.infer<typeof WorkspaceDto>;

/** `PATCH /api/v1/me`: the signed-in person's own profile (the name teammates and customers see). */
export const UpdateProfileInput = z
  .object({ name: z.string().trim().min(1, "enter your name").max(100, "at most 100 characters") })
  .strict();
export type UpdateProfileInput = z.infer<typeof UpdateProfileInput>;

export const MeResponse = z.object({
  user: UserDto,
  workspace: WorkspaceDto,
  role: Role,
  /** What the caller's role may do, so the dashboard shows only what it can use. */
  permissions: z.array(Permission),
  /** Present for cookie sessions: send it back in the x-csrf-token header on mutations. */
  csrfToken: z.string().optional(),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const SessionResponse = z.object({
  user: UserDto,
  workspace: WorkspaceDto,
  role: Role,
  csrfToken: z.string(),
});
export type SessionResponse = z.infer<typeof SessionResponse>;

/** What an invitation link is for, shown before accepting it. */
export const InvitationPreview = z.object({
  email: z.string(),
  role: Role,
  workspaceName: z.string(),
  expiresAt: z.string(),
  /** The email already has an account: accepting asks for its current password instead of a new one. */
  existingAccount: z.boolean(),
});
export type InvitationPreview = z.infer<typeof InvitationPreview>;

export const SetupStatus = z.object({ needsSetup: z.boolean() });
export type SetupStatus = z.infer<typeof SetupStatus>;

/**
 * `GET /api/health`: public liveness; `demo` tells the sign-in page to show the demo logins,
 * `simulator` that the fake platforms under `/_simulator` (and the /simulator page) are on, `mail`
 * that the installation can send mail.
 */
export const PublicHealth = z.object({
  status: z.literal("ok"),
  version: z.string(),
  demo: z.boolean(),
  simulator: z.boolean(),
  /** This installation sends mail (SMTP, or the simulator's mailbox): "forgot password" and mailed invitations work. */
  mail: z.boolean(),
  /**
   * The installation's public address (`APP_URL`): invitation and password-reset links, Facebook
   * Login's return address and the widget snippet use it. The dashboard warns its admins when they
   * use Tandem at another address, where those links would not come back to.
   */
  appUrl: z.string(),
  /**
   * Platforms that fetch an agent's attachment by URL (LINE) can reach it: `APP_URL` is https. When
   * false, channels with `attachments.fetchedByUrl` take no attachments.
   */
  publicMedia: z.boolean(),
});
export type PublicHealth = z.infer<typeof PublicHealth>;
