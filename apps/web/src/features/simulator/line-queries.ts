"use client";

import {
  LineSimulatorCustomers,
  type LineSimulatorSendInput,
  LineSimulatorSendResult,
  LineSimulatorThread,
} from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";
import { simulatorKeys } from "./queries";

/** The simulator's LINE customer (`/_simulator/customer/line`), served only when the simulator is on. */
const BASE = "/_simulator/customer/line";

export const lineSimulatorKeys = {
  customers: [...simulatorKeys.all, "line", "customers"] as const,
  thread: (chatId: string) => [...simulatorKeys.all, "line", "thread", chatId] as const,
};

/** The simulated LINE channels (with their credentials), users and groups. */
export function useLineSimulatorCustomers() {
  return useQuery({
    queryKey: lineSimulatorKeys.customers,
    queryFn: ({ signal }) => api.get(`${BASE}/customers`, LineSimulatorCustomers, signal),
    // The webhook endpoint changes when the app sets it on (the fake) LINE.
    refetchInterval: 5000,
  });
}

/** A 1:1 chat (`userId`) or a group (`groupId`): what customers sent and what the bot sent back. */
export function useLineSimulatorThread(chat: { userId: string } | { groupId: string }) {
  const params = new URLSearchParams(chat);
  const chatId = "groupId" in chat ? chat.groupId : chat.userId;
  return useQuery({
    queryKey: lineSimulatorKeys.thread(chatId),
    queryFn: ({ signal }) => api.get(`${BASE}/thread?${params}`, LineSimulatorThread, signal),
    refetchInterval: 1000,
    refetchIntervalInBackground: false,
  });
}

export function useLineSimulatorSend() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: LineSimulatorSendInput) => api.post(`${BASE}/send`, input, LineSimulatorSendResult),
    // The thread shows the customer's message even when the app refused the webhook.
    onSettled: (_data, _error, input) =>
      queryClient.invalidateQueries({ queryKey: lineSimulatorKeys.thread(input.groupId ?? input.userId) }),
  });
}
