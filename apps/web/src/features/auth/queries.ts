"use client";

import {
  type AcceptInvitationInput,
  type ChangePasswordInput,
  type ForgotPasswordInput,
  InvitationPreview,
  MeResponse,
  PasswordResetPreview,
  PublicHealth,
  type ResetPasswordInput,
  SessionResponse,
  type SetupInput,
  SetupStatus,
  type SignInInput,
  type UpdateProfileInput,
  UserDto,
} from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, isApiError } from "@/lib/api";

export const authKeys = {
  me: ["auth", "me"] as const,
  session: ["auth", "session"] as const,
  invitation: (token: string) => ["auth", "invitation", token] as const,
  passwordReset: (token: string) => ["auth", "password-reset", token] as const,
  health: ["health"] as const,
  setup: ["auth", "setup"] as const,
};

/** The signed-in member: user, workspace, role and permissions. 401 sends the browser to /login. */
export function useMe() {
  return useQuery({
    queryKey: authKeys.me,
    queryFn: ({ signal }) => api.get("/api/v1/me", MeResponse, signal),
    staleTime: 5 * 60_000,
  });
}

/** For components inside the authenticated shell, which renders its children only once `me` has loaded. */
export function useCurrentUser(): MeResponse {
  const { data } = useMe();
  if (!data) throw new Error("useCurrentUser() is only available inside the authenticated shell");
  return data;
}

/** The current cookie session, or null when signed out (used by /login to skip the form). */
export function useSession() {
  return useQuery({
    queryKey: authKeys.session,
    queryFn: async ({ signal }) => {
      try {
        return await api.get("/api/auth/session", SessionResponse, signal);
      } catch (error) {
        if (isApiError(error, 401)) return null;
        throw error;
      }
    },
    retry: false,
    staleTime: 0,
  });
}

/** `GET /api/health` (public): `demo` — the demo workspace is seeded; `simulator` — /simulator works; `mail` — mail is sent. */
export function useHealth() {
  return useQuery({
    queryKey: authKeys.health,
    queryFn: ({ signal }) => api.get("/api/health", PublicHealth, signal),
    retry: false,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

// Sign-out and a lost session both reload the page (useSignOut, lib/api.ts), so the cache never
// holds another user's data when signing in or accepting an invitation: nothing to clear here.
export function useSignIn() {
  return useMutation({
    mutationFn: (input: SignInInput) => api.post("/api/auth/sign-in", input, SessionResponse),
  });
}

/** `GET /api/auth/setup`: `needsSetup: true` on a fresh install with no user yet (sends /login to /setup). */
export function useSetupStatus() {
  return useQuery({
    queryKey: authKeys.setup,
    queryFn: ({ signal }) => api.get("/api/auth/setup", SetupStatus, signal),
    retry: false,
    staleTime: 0,
  });
}

/** First-run owner creation: makes the workspace and its owner, and signs them in (sets the session cookie). */
export function useSetup() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SetupInput) => api.post("/api/auth/setup", input, SessionResponse),
    // The installation has its owner now: /login must not send anyone back to /setup.
    onSuccess: () => queryClient.setQueryData<SetupStatus>(authKeys.setup, { needsSetup: false }),
  });
}

export function useSignOut() {
  return useMutation({
    mutationFn: () => api.post("/api/auth/sign-out"),
    // A full page load drops every cached query of the signed-out user, even if the call failed.
    onSettled: () => window.location.assign("/login"),
  });
}

export function useInvitation(token: string) {
  return useQuery({
    queryKey: authKeys.invitation(token),
    queryFn: ({ signal }) => api.get(`/api/auth/invitations/${encodeURIComponent(token)}`, InvitationPreview, signal),
  });
}

export function useAcceptInvitation() {
  return useMutation({
    mutationFn: (input: AcceptInvitationInput) => api.post("/api/auth/invitations/accept", input, SessionResponse),
  });
}

/** Change one's password with the current one; every other session of the account ends. */
/** Renames the signed-in person; every view of `me` (menu, composer, presence) follows. */
export function useUpdateProfile() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateProfileInput) => api.patch("/api/v1/me", input, UserDto),
    onSuccess: (user) => queryClient.setQueryData<MeResponse>(authKeys.me, (me) => (me ? { ...me, user } : me)),
  });
}

export function useChangePassword() {
  return useMutation({
    mutationFn: (input: ChangePasswordInput) => api.post("/api/auth/password", input),
  });
}

/** "Forgot password": 202 whether or not an account has the address. */
export function useForgotPassword() {
  return useMutation({
    mutationFn: (input: ForgotPasswordInput) => api.post("/api/auth/password/forgot", input),
  });
}

export function usePasswordReset(token: string) {
  return useQuery({
    queryKey: authKeys.passwordReset(token),
    queryFn: ({ signal }) =>
      api.get(`/api/auth/password/reset/${encodeURIComponent(token)}`, PasswordResetPreview, signal),
    retry: false,
  });
}

export function useResetPassword() {
  return useMutation({
    mutationFn: (input: ResetPasswordInput) => api.post("/api/auth/password/reset", input),
  });
}
