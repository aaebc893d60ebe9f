"use client";

import {
  ChatbotApiKeyDto,
  ChatbotDto,
  ChatbotListResponse,
  type CreateChatbotInput,
  NamedCredentialListResponse,
  type UpdateChatbotInput,
} from "@tandem/contracts";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api } from "@/lib/api";

export const chatbotCrudKeys = {
  all: ["chatbots"] as const,
  list: ["chatbots", "list"] as const,
  one: (id: string) => ["chatbots", id, "detail"] as const,
  credentials: ["providers", "credentials"] as const,
};

const base = (id: string) => `/api/v1/chatbots/${encodeURIComponent(id)}`;

export function useChatbots() {
  return useInfiniteQuery({
    queryKey: chatbotCrudKeys.list,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.get(
        `/api/v1/chatbots?limit=30${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`,
        ChatbotListResponse,
        signal,
      ),
    getNextPageParam: (last) => last.nextCursor ?? null,
  });
}

export function useChatbot(id: string) {
  return useQuery({
    queryKey: chatbotCrudKeys.one(id),
    queryFn: ({ signal }) => api.get(base(id), ChatbotDto, signal),
  });
}

export function useCreateChatbot() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateChatbotInput) => api.post("/api/v1/chatbots", input, ChatbotDto),
    onSuccess: (chatbot) => {
      queryClient.setQueryData(chatbotCrudKeys.one(chatbot.id), chatbot);
      void queryClient.invalidateQueries({ queryKey: chatbotCrudKeys.list });
    },
  });
}

export function useUpdateChatbot(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateChatbotInput) => api.patch(base(id), input, ChatbotDto),
    onSuccess: (chatbot) => {
      queryClient.setQueryData(chatbotCrudKeys.one(id), chatbot);
      void queryClient.invalidateQueries({ queryKey: chatbotCrudKeys.list });
    },
  });
}

/** Soft delete: history stays. 409 while a channel still names it, or for the default chatbot. */
export function useDeleteChatbot(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete(base(id)),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: chatbotCrudKeys.one(id) });
      void queryClient.invalidateQueries({ queryKey: chatbotCrudKeys.list });
      void queryClient.invalidateQueries({ queryKey: chatbotCrudKeys.credentials });
    },
  });
}

export function useRegenerateChatbotKey(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.post(`${base(id)}/regenerate-token`, undefined, ChatbotApiKeyDto),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: chatbotCrudKeys.one(id) }),
  });
}

/** The workspace's named provider credentials (owners and admins: `providers.manage`). */
export function useCredentials(enabled: boolean) {
  return useQuery({
    queryKey: chatbotCrudKeys.credentials,
    queryFn: ({ signal }) => api.get("/api/v1/providers/credentials", NamedCredentialListResponse, signal),
    enabled,
  });
}

/** A 400's field problems (`details[].path` → message), keyed by the top-level field. */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError) || error.status !== 400 || !Array.isArray(error.details)) return {};
  const out: Record<string, string> = {};
  for (const detail of error.details as { path?: unknown; message?: unknown }[]) {
    const path = Array.isArray(detail.path)
      ? detail.path.join(".")
      : typeof detail.path === "string"
        ? detail.path
        : "";
    const field = path.split(".")[0];
    if (field && typeof detail.message === "string" && !out[field]) out[field] = detail.message;
  }
  return out;
}
