"use client";

import { MessageLogResponse } from "@tandem/contracts";
import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "@/lib/api";

export const logKeys = {
  all: ["logs"] as const,
  messages: (params: string) => ["logs", "messages", params] as const,
};

/** The message log for some filters (`logSearchParams`), 50 rows a page, "Load more" for the next. */
export function useMessageLog(params: URLSearchParams, enabled = true) {
  const query = params.toString();
  return useInfiniteQuery({
    queryKey: logKeys.messages(query),
    queryFn: ({ pageParam, signal }) => {
      const page = new URLSearchParams(params);
      page.set("limit", "50");
      if (pageParam) page.set("cursor", pageParam);
      return api.get(`/api/v1/logs/messages?${page}`, MessageLogResponse, signal);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor,
    enabled,
  });
}
