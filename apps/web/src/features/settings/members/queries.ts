"use client";

import { type InviteMemberInput, InviteMemberResponse, MemberDto, MembersResponse, type Role } from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { authKeys } from "@/features/auth/queries";
import { api } from "@/lib/api";

export const memberKeys = {
  all: ["members"] as const,
};

/** Members and pending invitations of the current workspace; polled while an invitation mail is on its way. */
export function useMembers(enabled = true) {
  return useQuery({
    queryKey: memberKeys.all,
    queryFn: ({ signal }) => api.get("/api/v1/members", MembersResponse, signal),
    enabled,
    refetchInterval: (query) => (query.state.data?.invitations.some((i) => i.emailStatus === "queued") ? 2_000 : false),
  });
}

function useInvalidateMembers() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: memberKeys.all });
}

export function useInviteMember() {
  const invalidate = useInvalidateMembers();
  return useMutation({
    mutationFn: (input: InviteMemberInput) => api.post("/api/v1/members", input, InviteMemberResponse),
    onSuccess: invalidate,
  });
}

export function useUpdateMemberRole() {
  const queryClient = useQueryClient();
  const invalidate = useInvalidateMembers();
  return useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) =>
      api.patch(`/api/v1/members/${encodeURIComponent(id)}`, { role }, MemberDto),
    onSuccess: async () => {
      // Changing one's own role changes one's permissions.
      await Promise.all([invalidate(), queryClient.invalidateQueries({ queryKey: authKeys.me })]);
    },
  });
}

export function useRemoveMember() {
  const invalidate = useInvalidateMembers();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/members/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}

/** A new link for a pending invitation, mailed when the installation sends mail. */
export function useResendInvitation() {
  const invalidate = useInvalidateMembers();
  return useMutation({
    mutationFn: (id: string) =>
      api.post(`/api/v1/invitations/${encodeURIComponent(id)}/resend`, undefined, InviteMemberResponse),
    onSuccess: invalidate,
  });
}

export function useRevokeInvitation() {
  const invalidate = useInvalidateMembers();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/invitations/${encodeURIComponent(id)}`),
    onSuccess: invalidate,
  });
}
