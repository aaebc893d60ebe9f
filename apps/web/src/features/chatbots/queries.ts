"use client";

import {
  PLAYGROUND_SSE_EVENTS,
  PlaygroundAnswer,
  PlaygroundCompareResponse,
  type PlaygroundOverrides,
  PlaygroundSessionDto,
  type PlaygroundSource,
  PlaygroundStreamDelta,
  PlaygroundStreamError,
  PlaygroundStreamSources,
  PromptDto,
  PromptGenerationJobDto,
  PromptGenerationStarted,
  PromptHistoryResponse,
  PromptVersionDto,
} from "@tandem/contracts";
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, api, apiFetch, csrfHeaders, redirectToLogin, toApiError } from "@/lib/api";
import { parseSseEvent } from "./playground-input";

export const chatbotKeys = {
  prompt: (id: string) => ["chatbots", id, "prompt"] as const,
  history: (id: string) => ["chatbots", id, "prompt", "history"] as const,
  version: (id: string, versionId: string) => ["chatbots", id, "prompt", "version", versionId] as const,
  generation: (id: string, jobId: string) => ["chatbots", id, "prompt", "generation", jobId] as const,
};

const base = (id: string) => `/api/v1/chatbots/${encodeURIComponent(id)}`;

/** The ETag of a live prompt: its version id (`"none"` before the first version). */
export function etagOf(prompt: Pick<PromptDto, "versionId">): string {
  return `"${prompt.versionId ?? "none"}"`;
}

export function usePrompt(chatbotId: string) {
  return useQuery({
    queryKey: chatbotKeys.prompt(chatbotId),
    queryFn: ({ signal }) => api.get(`${base(chatbotId)}/prompt`, PromptDto, signal),
  });
}

export function usePromptHistory(chatbotId: string) {
  return useInfiniteQuery({
    queryKey: chatbotKeys.history(chatbotId),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      api.get(
        `${base(chatbotId)}/prompt/history?limit=20${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`,
        PromptHistoryResponse,
        signal,
      ),
    getNextPageParam: (last) => last.nextCursor ?? null,
  });
}

export function usePromptVersion(chatbotId: string, versionId: string | null) {
  return useQuery({
    queryKey: chatbotKeys.version(chatbotId, versionId ?? ""),
    queryFn: ({ signal }) =>
      api.get(`${base(chatbotId)}/prompt/history/${encodeURIComponent(versionId ?? "")}`, PromptVersionDto, signal),
    enabled: versionId !== null,
    staleTime: Number.POSITIVE_INFINITY, // versions never change
  });
}

function usePromptSaved(chatbotId: string) {
  const queryClient = useQueryClient();
  return {
    onSuccess: (prompt: PromptDto) => {
      queryClient.setQueryData(chatbotKeys.prompt(chatbotId), prompt);
      void queryClient.invalidateQueries({ queryKey: chatbotKeys.history(chatbotId) });
    },
    // A 409 carries the live prompt: the page's copy was stale, so take the newer one.
    onError: (error: unknown) => {
      const current = conflictCurrent(error);
      if (!current) return;
      queryClient.setQueryData(chatbotKeys.prompt(chatbotId), current);
      void queryClient.invalidateQueries({ queryKey: chatbotKeys.history(chatbotId) });
    },
  };
}

/** Saves a new version; `ifMatch` is the ETag of the prompt the editor loaded (409 when stale). */
export function useSavePrompt(chatbotId: string) {
  const handlers = usePromptSaved(chatbotId);
  return useMutation({
    mutationFn: (input: { text: string; note?: string; generationJobId?: string; ifMatch: string }) =>
      apiFetch(`${base(chatbotId)}/prompt`, {
        method: "PUT",
        body: { text: input.text, note: input.note || undefined, generationJobId: input.generationJobId },
        headers: { "if-match": input.ifMatch },
        schema: PromptDto,
      }),
    ...handlers,
  });
}

export function useRollbackPrompt(chatbotId: string) {
  const handlers = usePromptSaved(chatbotId);
  return useMutation({
    mutationFn: (input: { versionId: string; note?: string; ifMatch: string }) =>
      apiFetch(`${base(chatbotId)}/prompt/rollback`, {
        method: "POST",
        body: { versionId: input.versionId, note: input.note || undefined },
        headers: { "if-match": input.ifMatch },
        schema: PromptDto,
      }),
    ...handlers,
  });
}

/** The live prompt a 409 `prompt_version_conflict` carries (`details.current`), when it does. */
export function conflictCurrent(error: unknown): PromptDto | null {
  if (!(error instanceof ApiError) || error.code !== "prompt_version_conflict") return null;
  const details = error.details as { current?: unknown } | undefined;
  const parsed = PromptDto.safeParse(details?.current);
  return parsed.success ? parsed.data : null;
}

export function useStartGeneration(chatbotId: string) {
  return useMutation({
    mutationFn: (input: { files: File[]; context: string; tone: string; additionalInstructions: string }) => {
      const form = new FormData();
      for (const file of input.files) form.append("files", file, file.name);
      if (input.context.trim()) form.append("context", input.context.trim());
      if (input.tone.trim()) form.append("tone", input.tone.trim());
      if (input.additionalInstructions.trim())
        form.append("additionalInstructions", input.additionalInstructions.trim());
      return apiFetch(`${base(chatbotId)}/prompt/generate`, {
        method: "POST",
        body: form,
        schema: PromptGenerationStarted,
      });
    },
  });
}

/** The job, polled every second until it ends. */
export function useGenerationJob(chatbotId: string, jobId: string | null) {
  return useQuery({
    queryKey: chatbotKeys.generation(chatbotId, jobId ?? ""),
    queryFn: ({ signal }) =>
      api.get(`${base(chatbotId)}/prompt/generate/${encodeURIComponent(jobId ?? "")}`, PromptGenerationJobDto, signal),
    enabled: jobId !== null,
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      return status === "completed" || status === "failed" ? false : 1000;
    },
  });
}

export function useCreatePlaygroundSession(chatbotId: string) {
  return useMutation({
    mutationFn: (overrideConfig: PlaygroundOverrides | undefined) =>
      api.post(`${base(chatbotId)}/playground/sessions`, { overrideConfig }, PlaygroundSessionDto),
  });
}

export function useEndPlaygroundSession(chatbotId: string) {
  return useMutation({
    mutationFn: (sessionId: string) =>
      apiFetch(`${base(chatbotId)}/playground/sessions/${encodeURIComponent(sessionId)}`, { method: "DELETE" }),
  });
}

export function useComparePlayground(chatbotId: string) {
  return useMutation({
    mutationFn: (input: { message: string; configs: PlaygroundOverrides[] }) =>
      api.post(`${base(chatbotId)}/playground/compare`, input, PlaygroundCompareResponse),
  });
}

export interface StreamHandlers {
  onDelta: (text: string) => void;
  onSources: (sources: PlaygroundSource[]) => void;
}

/**
 * One playground message answered as server-sent events (fetch + ReadableStream: EventSource cannot
 * POST). Resolves with the completed answer; rejects with an `ApiError` for a refusal before the
 * stream (400, 404, 409) or an `error` event during it.
 */
export async function streamPlaygroundChat(
  chatbotId: string,
  input: { sessionId: string; message: string; overrideConfig?: PlaygroundOverrides },
  handlers: StreamHandlers,
  signal?: AbortSignal,
): Promise<PlaygroundAnswer> {
  let response: Response;
  try {
    response = await fetch(`${base(chatbotId)}/playground/chat`, {
      method: "POST",
      headers: { accept: "text/event-stream", "content-type": "application/json", ...csrfHeaders() },
      body: JSON.stringify(input),
      credentials: "same-origin",
      cache: "no-store",
      signal,
    });
  } catch (cause) {
    if (cause instanceof DOMException && cause.name === "AbortError") throw cause;
    throw new ApiError({
      status: 0,
      code: "network_error",
      message: "Could not reach the server. Check your connection and try again.",
    });
  }
  if (!response.ok) {
    if (response.status === 401) redirectToLogin();
    throw await toApiError(response);
  }
  if (!response.body)
    throw new ApiError({ status: 0, code: "invalid_response", message: "The server sent no answer." });

  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    return await readPlaygroundStream(reader, handlers);
  } finally {
    // An error event or a bad event ends the read early: release the connection.
    void reader.cancel().catch(() => {});
  }
}

async function readPlaygroundStream(
  reader: ReadableStreamDefaultReader<string>,
  handlers: StreamHandlers,
): Promise<PlaygroundAnswer> {
  let buffer = "";
  let answer: PlaygroundAnswer | null = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (value) buffer += value;
    let boundary = buffer.search(/\r?\n\r?\n/);
    while (boundary !== -1) {
      const raw = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary).replace(/^\r?\n\r?\n/, "");
      const event = parseSseEvent(raw);
      if (event) {
        const data: unknown = event.data ? JSON.parse(event.data) : null;
        if (event.event === PLAYGROUND_SSE_EVENTS.delta) handlers.onDelta(PlaygroundStreamDelta.parse(data).text);
        else if (event.event === PLAYGROUND_SSE_EVENTS.sources)
          handlers.onSources(PlaygroundStreamSources.parse(data).sources);
        else if (event.event === PLAYGROUND_SSE_EVENTS.completed) answer = PlaygroundAnswer.parse(data);
        else if (event.event === PLAYGROUND_SSE_EVENTS.error) {
          const error = PlaygroundStreamError.parse(data);
          throw new ApiError({ status: 502, code: error.code, message: error.message, details: error.details });
        }
      }
      boundary = buffer.search(/\r?\n\r?\n/);
    }
    if (done) break;
  }
  if (!answer) throw new ApiError({ status: 0, code: "stream_ended", message: "The answer was cut off. Try again." });
  return answer;
}
