"use client";

import {
  SimulatorCustomers,
  SimulatorMailbox,
  SimulatorReceiptResult,
  type SimulatorSendInput,
  SimulatorSendResult,
  SimulatorThread,
} from "@tandem/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/lib/api";

/** The simulator's Messenger customer (`/_simulator/customer/messenger`), served only when the simulator is on. */
const BASE = "/_simulator/customer/messenger";

export const simulatorKeys = {
  all: ["simulator"] as const,
  customers: ["simulator", "customers"] as const,
  mailbox: ["simulator", "mailbox"] as const,
  thread: (pageId: string | undefined, psid: string) => ["simulator", "thread", pageId ?? "default", psid] as const,
};

export function useSimulatorCustomers(enabled: boolean) {
  return useQuery({
    queryKey: simulatorKeys.customers,
    queryFn: ({ signal }) => api.get(`${BASE}/customers`, SimulatorCustomers, signal),
    enabled,
  });
}

/** What the customer sent and what the Page answered, polled every second. */
export function useSimulatorThread(psid: string, pageId?: string) {
  const params = new URLSearchParams({ psid, ...(pageId ? { pageId } : {}) });
  return useQuery({
    queryKey: simulatorKeys.thread(pageId, psid),
    queryFn: ({ signal }) => api.get(`${BASE}/thread?${params}`, SimulatorThread, signal),
    refetchInterval: 1000,
    refetchIntervalInBackground: false,
  });
}

export function useSimulatorSend() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: SimulatorSendInput) => api.post(`${BASE}/send`, input, SimulatorSendResult),
    // The thread shows the customer's message even when the app refused the webhook.
    onSettled: (_data, _error, input) =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: simulatorKeys.thread(input.pageId, input.psid) }),
        queryClient.invalidateQueries({ queryKey: simulatorKeys.customers }),
      ]),
  });
}

/** Delivery then read receipts for the Page's messages, as the customer's Messenger app sends them. */
export function useSimulatorReceipts() {
  return useMutation({
    mutationFn: async (input: { psid: string; pageId?: string }) => {
      await api.post(`${BASE}/delivery`, input, SimulatorReceiptResult);
      return api.post(`${BASE}/read`, input, SimulatorReceiptResult);
    },
  });
}

/** The simulator's mail catcher (`/_simulator/_control/mail`): every mail the app sent, newest first. */
const MAILBOX = "/_simulator/_control/mail";

export function useSimulatorMailbox() {
  return useQuery({
    queryKey: simulatorKeys.mailbox,
    queryFn: ({ signal }) => api.get(MAILBOX, SimulatorMailbox, signal),
    refetchInterval: 2000,
    refetchIntervalInBackground: false,
  });
}

export function useClearMailbox() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete(MAILBOX),
    onSettled: () => queryClient.invalidateQueries({ queryKey: simulatorKeys.mailbox }),
  });
}
