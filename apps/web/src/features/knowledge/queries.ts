"use client";

import {
  type CreateFaqEntryInput,
  type CreateKnowledgeSourceInput,
  type CreateTextDocumentInput,
  FaqEntryDto,
  FaqEntryListResponse,
  FaqImportResponse,
  KNOWLEDGE_LIMITS,
  KnowledgeChunkListResponse,
  KnowledgeDocumentDto,
  KnowledgeDocumentListResponse,
  KnowledgeLimitsDto,
  KnowledgeSearchResponse,
  KnowledgeSourceDto,
  KnowledgeSourceListResponse,
  type UpdateFaqEntryInput,
  type UpdateKnowledgeDocumentInput,
  type UpdateKnowledgeSourceInput,
  UploadDocumentsResponse,
} from "@tandem/contracts";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api, apiFetch } from "@/lib/api";
import { storeDocument, storeSource } from "./cache";
import { knowledgeKeys, type SourceFilter } from "./keys";

export { knowledgeKeys, type SourceFilter };

const SOURCES = "/api/v1/knowledge/sources";
const source = (id: string) => `${SOURCES}/${encodeURIComponent(id)}`;
const document = (id: string) => `/api/v1/knowledge/documents/${encodeURIComponent(id)}`;

function query(params: Record<string, string | number | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value != null && value !== "") search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : "";
}

export function useKnowledgeSources(filter: SourceFilter = {}) {
  return useInfiniteQuery({
    queryKey: knowledgeKeys.sourceList(filter),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.get(`${SOURCES}${query({ limit: 50, ...filter, cursor: pageParam })}`, KnowledgeSourceListResponse, signal),
    getNextPageParam: (last) => last.nextCursor ?? null,
  });
}

export function useKnowledgeSource(id: string, enabled = true) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: knowledgeKeys.source(id),
    queryFn: async ({ signal }) => {
      const fetched = await api.get(source(id), KnowledgeSourceDto, signal);
      // A live update that arrived while this request was on its way is newer: keep it.
      const cached = queryClient.getQueryData<KnowledgeSourceDto>(knowledgeKeys.source(id));
      return cached && cached.updatedAt > fetched.updatedAt ? cached : fetched;
    },
    enabled: enabled && id !== "",
  });
}

/** The server's upload limits; the contract's defaults until they arrive (the server checks again anyway). */
export function useKnowledgeLimits(): KnowledgeLimitsDto {
  const limits = useQuery({
    queryKey: knowledgeKeys.limits,
    queryFn: ({ signal }) => api.get("/api/v1/knowledge/limits", KnowledgeLimitsDto, signal),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
  });
  return (
    limits.data ?? {
      maxFileBytes: KNOWLEDGE_LIMITS.maxFileBytes,
      filesPerUpload: KNOWLEDGE_LIMITS.filesPerUpload,
      maxPdfPages: KNOWLEDGE_LIMITS.maxPdfPages,
    }
  );
}

function useStoreSource() {
  const queryClient = useQueryClient();
  return (dto: KnowledgeSourceDto) => storeSource(queryClient, dto);
}

export function useCreateSource() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateKnowledgeSourceInput) => api.post(SOURCES, input, KnowledgeSourceDto),
    onSuccess: (dto) => {
      queryClient.setQueryData(knowledgeKeys.source(dto.id), dto);
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.sources });
    },
  });
}

export function useUpdateSource(id: string) {
  const store = useStoreSource();
  return useMutation({
    mutationFn: (input: UpdateKnowledgeSourceInput) => api.patch(source(id), input, KnowledgeSourceDto),
    onSuccess: store,
  });
}

export function useDeleteSource(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete(source(id)),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: knowledgeKeys.source(id) });
      queryClient.removeQueries({ queryKey: knowledgeKeys.documents(id) });
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.sources });
    },
  });
}

/** Fetches a URL source's pages again (202: the source moves to `processing`). */
export function useSyncSource(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch(`${source(id)}/sync`, { method: "POST" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: knowledgeKeys.source(id) }),
  });
}

export function useSourceDocuments(sourceId: string, enabled = true) {
  return useInfiniteQuery({
    queryKey: knowledgeKeys.documents(sourceId),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.get(
        `${source(sourceId)}/documents${query({ limit: 50, cursor: pageParam })}`,
        KnowledgeDocumentListResponse,
        signal,
      ),
    getNextPageParam: (last) => last.nextCursor ?? null,
    enabled,
  });
}

export interface UploadFields {
  category?: string;
  documentType?: string;
  tags?: string[];
}

/** One multipart request; the caller sends one file per request so each gets its own answer (413, 415). */
export function useUploadDocuments(sourceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ files, fields }: { files: File[]; fields: UploadFields }) => {
      const form = new FormData();
      for (const file of files) form.append("files", file, file.name);
      if (fields.category) form.append("category", fields.category);
      if (fields.documentType) form.append("documentType", fields.documentType);
      if (fields.tags && fields.tags.length > 0) form.append("tags", fields.tags.join(","));
      return apiFetch(`${source(sourceId)}/documents`, { method: "POST", body: form, schema: UploadDocumentsResponse });
    },
    onSuccess: (response) => {
      for (const dto of response.data) storeDocument(queryClient, dto);
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.source(sourceId) });
    },
  });
}

export function useCreateTextDocument(sourceId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: CreateTextDocumentInput) => api.post(`${source(sourceId)}/text`, input, KnowledgeDocumentDto),
    onSuccess: (dto) => {
      storeDocument(queryClient, dto);
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.source(sourceId) });
    },
  });
}

export function useDocument(id: string) {
  return useQuery({
    queryKey: knowledgeKeys.document(id),
    queryFn: ({ signal }) => api.get(document(id), KnowledgeDocumentDto, signal),
  });
}

export function useUpdateDocument(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: UpdateKnowledgeDocumentInput) => api.patch(document(id), input, KnowledgeDocumentDto),
    onSuccess: (dto) => storeDocument(queryClient, dto),
  });
}

export function useReingestDocument(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch(`${document(id)}/reingest`, { method: "POST" }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.document(id) });
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.chunks(id) });
    },
  });
}

export function useDeleteDocument(doc: Pick<KnowledgeDocumentDto, "id" | "sourceId">) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete(document(doc.id)),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: knowledgeKeys.document(doc.id) });
      queryClient.removeQueries({ queryKey: knowledgeKeys.chunks(doc.id) });
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.documents(doc.sourceId) });
      void queryClient.invalidateQueries({ queryKey: knowledgeKeys.source(doc.sourceId) });
    },
  });
}

export function useDocumentChunks(documentId: string) {
  return useInfiniteQuery({
    queryKey: knowledgeKeys.chunks(documentId),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.get(
        `${document(documentId)}/chunks${query({ limit: 50, cursor: pageParam })}`,
        KnowledgeChunkListResponse,
        signal,
      ),
    getNextPageParam: (last) => last.nextCursor ?? null,
  });
}

// ── FAQ entries ──────────────────────────────────────────────────────────────────────────────────

export function useFaqEntries(sourceId: string, enabled = true) {
  return useInfiniteQuery({
    queryKey: knowledgeKeys.faq(sourceId),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.get(`${source(sourceId)}/faq${query({ limit: 100, cursor: pageParam })}`, FaqEntryListResponse, signal),
    getNextPageParam: (last) => last.nextCursor ?? null,
    enabled,
  });
}

function useFaqChanged(sourceId: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: knowledgeKeys.faq(sourceId) });
    void queryClient.invalidateQueries({ queryKey: knowledgeKeys.source(sourceId) });
  };
}

export function useCreateFaqEntry(sourceId: string) {
  const changed = useFaqChanged(sourceId);
  return useMutation({
    mutationFn: (input: CreateFaqEntryInput) => api.post(`${source(sourceId)}/faq`, input, FaqEntryDto),
    onSuccess: changed,
  });
}

export function useUpdateFaqEntry(sourceId: string) {
  const changed = useFaqChanged(sourceId);
  return useMutation({
    mutationFn: ({ id, ...input }: UpdateFaqEntryInput & { id: string }) =>
      api.patch(`/api/v1/knowledge/faq/${encodeURIComponent(id)}`, input, FaqEntryDto),
    onSuccess: changed,
  });
}

export function useDeleteFaqEntry(sourceId: string) {
  const changed = useFaqChanged(sourceId);
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/knowledge/faq/${encodeURIComponent(id)}`),
    onSuccess: changed,
  });
}

/** CSV import, sent as a `text/csv` body (whatever type the browser gave the file); bad rows come back by line. */
export function useImportFaq(sourceId: string) {
  const changed = useFaqChanged(sourceId);
  return useMutation({
    mutationFn: ({ file, mode }: { file: File; mode: "append" | "replace" }) =>
      apiFetch(`${source(sourceId)}/faq/import${query({ mode })}`, {
        method: "POST",
        body: new Blob([file], { type: "text/csv" }),
        headers: { "content-type": "text/csv; charset=utf-8" },
        schema: FaqImportResponse,
      }),
    onSuccess: changed,
  });
}

export const faqExportUrl = (sourceId: string) => `${source(sourceId)}/faq/export`;

// ── Retrieval testing ────────────────────────────────────────────────────────────────────────────

/** `POST /chatbots/{id}/knowledge/search`: exactly what the bot would retrieve, with why. */
export function useKnowledgeSearch(chatbotId: string) {
  return useMutation({
    mutationFn: (input: { query: string; limit?: number }) =>
      api.post(`/api/v1/chatbots/${encodeURIComponent(chatbotId)}/knowledge/search`, input, KnowledgeSearchResponse),
  });
}
