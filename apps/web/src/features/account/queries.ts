"use client";

import { RevokedSessions, SessionList, SessionResponse, WorkspaceMembershipList } from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";

export const accountKeys = {
  sessions: ["account", "sessions"] as const,
  workspaces: ["account", "workspaces"] as const,
};

/** Where the signed-in user is signed in (every workspace), the current session flagged. */
export function useSessions() {
  return useQuery({
    queryKey: accountKeys.sessions,
    queryFn: ({ signal }) => api.get("/api/v1/me/sessions", SessionList, signal),
    staleTime: 0,
  });
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/me/sessions/${encodeURIComponent(id)}`),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountKeys.sessions }),
  });
}

export function useRevokeOtherSessions() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post("/api/v1/me/sessions/revoke-others", undefined, RevokedSessions),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountKeys.sessions }),
  });
}

/** The workspaces the user belongs to (the switcher shows itself only with more than one). */
export function useWorkspaces() {
  return useQuery({
    queryKey: accountKeys.workspaces,
    queryFn: ({ signal }) => api.get("/api/v1/me/workspaces", WorkspaceMembershipList, signal),
    staleTime: 60_000,
  });
}

/**
 * Moves the session to another workspace. Every cached query belongs to the old workspace: the
 * cache is dropped and the inbox loaded afresh (a full page load, like sign-out), so nothing of the
 * previous workspace stays on screen and the socket reconnects into the new workspace's rooms.
 */
export function useSwitchWorkspace() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (workspaceId: string) => api.post("/api/auth/switch-workspace", { workspaceId }, SessionResponse),
    onSuccess: () => {
      queryClient.clear();
      window.location.assign("/dashboard");
    },
  });
}
