"use client";

import {
  type BulkUpdateConversationsInput,
  BulkUpdateConversationsResponse,
  ConversationDto,
  ConversationListResponse,
  ConversationViewCounts,
  type ConversationViewer,
  DraftResponse,
  InboxOptions,
  MessageDto,
  MessageListResponse,
  type UpdateConversationInput,
  UploadedAttachmentDto,
} from "@tandem/contracts";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, apiUpload } from "@/lib/api";
import { cachedConversation, inboxKeys, storeConversation, storeMessage } from "./cache";
import { filtersToQuery, type InboxFilters } from "./filters";

const conversationPath = (id: string, rest = "") => `/api/v1/conversations/${encodeURIComponent(id)}${rest}`;

/** The conversation list for these filters, one cursor page at a time (infinite scroll). */
export function useConversationList(filters: InboxFilters) {
  return useInfiniteQuery({
    queryKey: inboxKeys.list(filters),
    queryFn: ({ pageParam, signal }) =>
      api.get(`/api/v1/conversations?${filtersToQuery(filters, pageParam)}`, ConversationListResponse, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    // Sockets keep the list fresh; a refetch happens on reconnect and when the filters come back.
    staleTime: 60_000,
  });
}

/** One conversation; shows the list's copy at once while the fresh one loads. */
export function useConversation(id: string | null) {
  const queryClient = useQueryClient();
  return useQuery<ConversationDto>({
    queryKey: inboxKeys.conversation(id ?? ""),
    queryFn: ({ signal }) => api.get(conversationPath(id ?? ""), ConversationDto, signal),
    enabled: Boolean(id),
    placeholderData: () => (id ? cachedConversation(queryClient, id) : undefined),
    staleTime: 60_000,
  });
}

/** The thread: the newest page first; `fetchNextPage` loads older messages (scrolling up). */
export function useMessages(conversationId: string | null) {
  return useInfiniteQuery({
    queryKey: inboxKeys.messages(conversationId ?? ""),
    queryFn: ({ pageParam, signal }) => {
      const params = new URLSearchParams({ limit: "50", ...(pageParam ? { cursor: pageParam } : {}) });
      return api.get(conversationPath(conversationId ?? "", `/messages?${params}`), MessageListResponse, signal);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled: Boolean(conversationId),
    staleTime: 60_000,
  });
}

/** Channels, members and tags for the filters and pickers; a conversation's new tag joins them at once (cache.ts). */
export function useInboxOptions() {
  return useQuery({
    queryKey: inboxKeys.options,
    queryFn: ({ signal }) => api.get("/api/v1/inbox/options", InboxOptions, signal),
    staleTime: 5 * 60_000,
  });
}

export interface PresenceMember {
  userId: string;
  name: string | null;
  email: string;
}

/** Teammates online now; written by the socket's `presence:update`, never fetched. */
export function usePresence() {
  return useQuery<PresenceMember[]>({
    queryKey: inboxKeys.presence,
    queryFn: () => [],
    enabled: false,
    initialData: [],
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Who else has this conversation open, and who types in it (from `conversation:viewers`). */
export function useConversationViewers(conversationId: string) {
  return useQuery<ConversationViewer[]>({
    queryKey: inboxKeys.viewers(conversationId),
    queryFn: () => [],
    enabled: false,
    initialData: [],
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** The stored message, or `{queued: true}` when the server writes a bot reply in the background. */
const SendResult = {
  parse: (data: unknown): MessageDto | { queued: true } =>
    (data as { queued?: unknown } | null)?.queued === true ? { queued: true } : MessageDto.parse(data),
};

export interface SendInput {
  text?: string;
  /** Files uploaded with `uploadAttachment` (agent replies only). */
  attachments?: string[];
  sendAs: "AGENT" | "BOT";
  internal: boolean;
  draftId?: string;
}

/** A reply, an internal note, or "reply as bot"; a bot reply that is still being written comes over the socket. */
export function useSendMessage(conversationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SendInput) => api.post(conversationPath(conversationId, "/messages"), input, SendResult),
    onSuccess: (result) => {
      if ("id" in result) storeMessage(queryClient, result);
    },
  });
}

/** One file kept for this conversation, checked against its channel's rules; sent later by its id. */
export function uploadAttachment(
  conversationId: string,
  file: File,
  options: { onProgress?: (sent: number) => void; signal?: AbortSignal },
) {
  const form = new FormData();
  form.set("file", file, file.name);
  return apiUpload(conversationPath(conversationId, "/attachments"), form, UploadedAttachmentDto, options);
}

export function useRetryMessage() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (messageId: string) =>
      api.post(`/api/v1/messages/${encodeURIComponent(messageId)}/retry`, undefined, MessageDto),
    onSuccess: (message) => storeMessage(queryClient, message),
  });
}

/** Auto-bot on or off; the switch moves at once and goes back if the server refuses. */
export function useToggleAutoBot(conversationId: string) {
  const queryClient = useQueryClient();
  const key = inboxKeys.conversation(conversationId);
  return useMutation({
    mutationFn: (enabled: boolean) =>
      api.post(conversationPath(conversationId, "/auto-bot"), { enabled }, ConversationDto),
    onMutate: async (enabled) => {
      await queryClient.cancelQueries({ queryKey: key });
      const before = queryClient.getQueryData<ConversationDto>(key);
      if (before) queryClient.setQueryData<ConversationDto>(key, { ...before, autoBot: enabled });
      return { before };
    },
    onError: (_error, _enabled, context) => {
      if (context?.before) queryClient.setQueryData(key, context.before);
    },
    onSuccess: (dto) => storeConversation(queryClient, dto, conversationId),
  });
}

/** Status (snooze), assignee, tags, notes. */
export function useUpdateConversation(conversationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateConversationInput) => api.patch(conversationPath(conversationId), input, ConversationDto),
    onSuccess: (dto, input) => {
      storeConversation(queryClient, dto, conversationId);
      // A removed tag may be in use nowhere else now, and the order (most used first) may change.
      if (input.tags) void queryClient.invalidateQueries({ queryKey: inboxKeys.options });
    },
  });
}

/** One action on the selected conversations; the rows update in place (and leave a list they no longer match). */
export function useBulkUpdate() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: BulkUpdateConversationsInput) =>
      api.post("/api/v1/conversations/bulk", input, BulkUpdateConversationsResponse),
    onSuccess: (result, input) => {
      for (const dto of result.data) storeConversation(queryClient, dto);
      if (input.action === "addTags" || input.action === "removeTags") {
        void queryClient.invalidateQueries({ queryKey: inboxKeys.options });
      }
    },
  });
}

/** The Mine / Unassigned / All numbers for the list's status and filters (not its assignee or search). */
export function useConversationCounts(filters: InboxFilters) {
  const base = { ...filters, assignee: null, search: "" };
  return useQuery({
    queryKey: inboxKeys.counts(base),
    queryFn: ({ signal }) => {
      const query = new URLSearchParams(filtersToQuery(base, null));
      query.delete("limit");
      return api.get(`/api/v1/conversations/counts?${query}`, ConversationViewCounts, signal);
    },
    placeholderData: (previous) => previous,
  });
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (conversationId: string) =>
      api.post(conversationPath(conversationId, "/read"), undefined, ConversationDto),
    onSuccess: (dto) => storeConversation(queryClient, dto, dto.id),
  });
}

/** "Draft with AI": a one-off suggestion for the composer, nothing is sent (the server keeps the draft on record). */
export function useDraftReply(conversationId: string) {
  return useMutation({
    mutationFn: () => api.post(conversationPath(conversationId, "/draft"), {}, DraftResponse),
  });
}
