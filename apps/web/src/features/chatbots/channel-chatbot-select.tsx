"use client";

import { type ChannelDto, ChannelDto as ChannelDtoSchema } from "@tandem/contracts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId } from "react";
import type { NoticeValue } from "@/components/notice";
import { api, errorMessage } from "@/lib/api";
import { chatbotCrudKeys, useChatbots } from "./crud-queries";
import { NativeSelect } from "./native-select";

/**
 * Settings → Channels: which chatbot answers a channel's new conversations (`PATCH /channels/{id}`).
 * LINE channels belong to the chatbot they were configured for, so they only show its name.
 */
export function ChannelChatbotSelect({
  channel,
  onNotice,
}: {
  channel: ChannelDto;
  onNotice: (notice: NoticeValue) => void;
}) {
  const id = useId();
  const list = useChatbots();
  const queryClient = useQueryClient();
  const assign = useMutation({
    mutationFn: (chatbotId: string | null) =>
      api.patch(`/api/v1/channels/${encodeURIComponent(channel.id)}`, { chatbotId }, ChannelDtoSchema),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["channels"] });
      void queryClient.invalidateQueries({ queryKey: chatbotCrudKeys.all });
    },
  });
  const chatbots = list.data?.pages.flatMap((p) => p.data) ?? [];
  const current = chatbots.find((c) => c.id === channel.chatbotId);
  const fixed = channel.type === "line" || channel.status === "disconnected";

  if (fixed || !list.data) {
    return current ? (
      <Link href={`/chatbots/${encodeURIComponent(current.id)}`} className="text-foreground hover:underline">
        {current.name}
      </Link>
    ) : (
      <span>{channel.chatbotId ? "Assigned" : "None, agents reply"}</span>
    );
  }

  return (
    <span className="inline-flex items-center gap-1.5">
      <label htmlFor={id} className="sr-only">
        Chatbot of {channel.name}
      </label>
      <NativeSelect
        id={id}
        className="h-7 w-auto max-w-48 py-0 text-xs text-foreground"
        value={channel.chatbotId ?? ""}
        disabled={assign.isPending}
        onChange={async (event) => {
          const next = event.target.value || null;
          try {
            await assign.mutateAsync(next);
            const name = chatbots.find((c) => c.id === next)?.name;
            onNotice({
              kind: "success",
              message: name
                ? `${channel.name} is answered by ${name} from its next conversation.`
                : `${channel.name} has no chatbot: people reply.`,
            });
          } catch (cause) {
            onNotice({ kind: "error", message: errorMessage(cause) });
          }
        }}
      >
        <option value="">None, agents reply</option>
        {chatbots.map((c) => (
          <option key={c.id} value={c.id}>
            {c.name}
            {c.status !== "active" ? ` (${c.status})` : ""}
          </option>
        ))}
      </NativeSelect>
    </span>
  );
}
