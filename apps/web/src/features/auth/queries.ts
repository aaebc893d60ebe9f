"use client";

import {
  type AcceptInvitationInput,
  MeResponse,
  type Role,
  SessionResponse,
  type SignInInput,
} from "@tandem/contracts";
import { useMutation, useQuery } from "@tanstack/react-query";
import { api, isApiError } from "@/lib/api";

export const authKeys = {
  me: ["auth", "me"] as const,
  session: ["auth", "session"] as const,
  invitation: (token: string) => ["auth", "invitation", token] as const,
  health: ["health"] as const,
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

/** `GET /api/health` is public; `demo: true` means the demo workspace is seeded. */
export function useHealth() {
  return useQuery({
    queryKey: authKeys.health,
    queryFn: ({ signal }) => api.get<{ demo?: boolean }>("/api/health", undefined, signal),
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

export function useSignOut() {
  return useMutation({
    mutationFn: () => api.post("/api/auth/sign-out"),
    // A full page load drops every cached query of the signed-out user, even if the call failed.
    onSettled: () => window.location.assign("/login"),
  });
}

export interface InvitationPreview {
  email: string;
  role: Role;
  workspaceName: string;
  expiresAt: string;
  /** The email already has an account: accepting asks for its current password, not a new one. */
  existingAccount: boolean;
}

export function useInvitation(token: string) {
  return useQuery({
    queryKey: authKeys.invitation(token),
    queryFn: ({ signal }) =>
      api.get<InvitationPreview>(`/api/auth/invitations/${encodeURIComponent(token)}`, undefined, signal),
  });
}

export function useAcceptInvitation() {
  return useMutation({
    mutationFn: (input: AcceptInvitationInput) => api.post("/api/auth/invitations/accept", input, SessionResponse),
  });
}
