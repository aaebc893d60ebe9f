"use client";

import type { ConversationDto, UpdateConversationInput } from "@tandem/contracts";
import { AlarmClock, ArrowLeft, Bot, CheckCircle2, ChevronDown, RotateCcw, UserRound } from "lucide-react";
import { useId } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";
import { Switch } from "@/components/ui/switch";
import { useCurrentUser } from "@/features/auth/queries";
import { errorMessage } from "@/lib/api";
import { formatDateTime } from "@/lib/format";
import { ChannelMark } from "./channel-mark";
import { ContactAvatar } from "./contact-avatar";
import { HandlerBadge } from "./conversation-row";
import { contactName, memberName } from "./people";
import { PresenceDot } from "./presence";
import { useInboxOptions, useToggleAutoBot, useUpdateConversation } from "./queries";

const UNASSIGNED = "none";

/** The thread's header: who, where, and the controls that change how the conversation is handled. */
export function ThreadToolbar({
  conversation,
  onBack,
  onShowContact,
}: {
  conversation: ConversationDto;
  onBack: () => void;
  onShowContact: () => void;
}) {
  const update = useUpdateConversation(conversation.id);
  const change = (input: UpdateConversationInput, done: string) =>
    update.mutate(input, {
      onSuccess: () => toast.success(done),
      onError: (error) => toast.error("Could not update the conversation", { description: errorMessage(error) }),
    });

  return (
    <header className="shrink-0 border-b bg-background">
      <div className="flex h-14 items-center gap-2 px-2 sm:gap-3 sm:px-4">
        <Button
          variant="ghost"
          size="icon-sm"
          aria-label="Back to conversations"
          className="lg:hidden"
          onClick={onBack}
        >
          <ArrowLeft aria-hidden="true" />
        </Button>
        <span className="contents max-sm:hidden">
          <ContactAvatar conversation={conversation} />
        </span>
        <div className="flex min-w-0 flex-1 flex-col">
          <h2 className="truncate text-sm font-semibold" id="thread-heading">
            {contactName(conversation)}
          </h2>
          <p className="flex items-center gap-1.5 truncate text-xs text-muted-foreground">
            {conversation.channel && <ChannelMark type={conversation.channel.type} className="ring-0" />}
            <span className="truncate">{conversation.channel?.name ?? "No channel"}</span>
            <HandlerBadge conversation={conversation} />
          </p>
        </div>
        <StatusControl conversation={conversation} onChange={change} pending={update.isPending} />
        <Button
          variant="outline"
          size="icon-sm"
          aria-label="Contact details"
          title="Contact details"
          className="xl:hidden"
          onClick={onShowContact}
        >
          <UserRound aria-hidden="true" />
        </Button>
      </div>
      <div
        role="toolbar"
        aria-label="Conversation controls"
        className="flex min-h-11 flex-wrap items-center gap-x-4 gap-y-1 border-t bg-muted/30 px-3 py-1 sm:px-4"
      >
        <AutoBotSwitch conversation={conversation} />
        <AssigneePicker conversation={conversation} onChange={change} />
      </div>
    </header>
  );
}

function AutoBotSwitch({ conversation }: { conversation: ConversationDto }) {
  const toggle = useToggleAutoBot(conversation.id);
  const id = useId();
  const descriptionId = useId();
  return (
    <div className="flex items-center gap-2">
      <Switch
        id={id}
        checked={conversation.autoBot}
        aria-describedby={descriptionId}
        onCheckedChange={(enabled) =>
          // No toast on success: the switch and the thread's "auto-bot turned on/off" line say it.
          toggle.mutate(enabled, {
            onError: (error) => toast.error("Could not switch auto-bot", { description: errorMessage(error) }),
          })
        }
      />
      <label htmlFor={id} className="flex items-center gap-1 text-xs font-medium">
        <Bot className="size-3.5 text-primary" aria-hidden="true" />
        Auto-bot
      </label>
      <span id={descriptionId} className="sr-only">
        When on, the bot answers every new customer message in this conversation.
      </span>
    </div>
  );
}

function snoozeOptions(now = new Date()) {
  const at = (days: number, hour: number) => {
    const d = new Date(now);
    d.setDate(d.getDate() + days);
    d.setHours(hour, 0, 0, 0);
    return d;
  };
  const daysToMonday = (8 - now.getDay()) % 7 || 7;
  return [
    { label: "For 1 hour", until: new Date(now.getTime() + 60 * 60_000) },
    { label: "For 4 hours", until: new Date(now.getTime() + 4 * 60 * 60_000) },
    { label: "Until tomorrow, 9:00", until: at(1, 9) },
    { label: "Until Monday, 9:00", until: at(daysToMonday, 9) },
  ];
}

function StatusControl({
  conversation,
  onChange,
  pending,
}: {
  conversation: ConversationDto;
  onChange: (input: UpdateConversationInput, done: string) => void;
  pending: boolean;
}) {
  const status = conversation.status;
  return (
    <div className="flex shrink-0 items-center gap-1.5">
      {status === "SNOOZED" && conversation.snoozedUntil && (
        <span className="hidden text-xs text-muted-foreground 2xl:inline">
          Snoozed until {formatDateTime(conversation.snoozedUntil)}
        </span>
      )}
      {status !== "CLOSED" && (
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="outline" size="sm" disabled={pending}>
              <AlarmClock aria-hidden="true" />
              <span className="max-sm:sr-only">{status === "SNOOZED" ? "Snoozed" : "Snooze"}</span>
              <ChevronDown aria-hidden="true" className="opacity-60 max-sm:hidden" />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end">
            <DropdownMenuLabel className="text-xs">Snooze: back in Open at</DropdownMenuLabel>
            {snoozeOptions().map((option) => (
              <DropdownMenuItem
                key={option.label}
                onSelect={() =>
                  onChange(
                    { status: "SNOOZED", snoozedUntil: option.until.toISOString() },
                    `Snoozed until ${formatDateTime(option.until.toISOString())}`,
                  )
                }
              >
                {option.label}
              </DropdownMenuItem>
            ))}
            {status === "SNOOZED" && (
              <DropdownMenuItem
                onSelect={() => onChange({ status: "OPEN", snoozedUntil: null }, "Conversation reopened")}
              >
                Wake up now
              </DropdownMenuItem>
            )}
          </DropdownMenuContent>
        </DropdownMenu>
      )}
      {status === "CLOSED" ? (
        <Button
          size="sm"
          variant="outline"
          disabled={pending}
          onClick={() => onChange({ status: "OPEN" }, "Conversation reopened")}
        >
          <RotateCcw aria-hidden="true" />
          <span className="max-sm:sr-only">Reopen</span>
        </Button>
      ) : (
        <Button size="sm" disabled={pending} onClick={() => onChange({ status: "CLOSED" }, "Conversation closed")}>
          <CheckCircle2 aria-hidden="true" />
          <span className="max-sm:sr-only">Close</span>
        </Button>
      )}
    </div>
  );
}

/** Assign the conversation to a teammate (online ones have a green dot) or leave it unassigned. */
function AssigneePicker({
  conversation,
  onChange,
}: {
  conversation: ConversationDto;
  onChange: (input: UpdateConversationInput, done: string) => void;
}) {
  const options = useInboxOptions();
  const me = useCurrentUser();
  const id = useId();
  const members = options.data?.members ?? [];
  const label = (m: (typeof members)[number]) => `${memberName(m)}${m.userId === me.user.id ? " (you)" : ""}`;
  return (
    <div className="flex min-w-0 flex-1 items-center gap-2">
      <label htmlFor={id} className="text-xs font-medium whitespace-nowrap">
        Assignee
      </label>
      <Select
        value={conversation.assigneeId ?? UNASSIGNED}
        onValueChange={(value) => {
          const assigneeId = value === UNASSIGNED ? null : value;
          const member = members.find((m) => m.id === assigneeId);
          onChange({ assigneeId }, member ? `Assigned to ${label(member)}` : "Unassigned");
        }}
      >
        <SelectTrigger id={id} size="sm" className="h-7 min-w-0 max-w-48 bg-background text-xs [&>span]:truncate">
          <SelectValue placeholder="Unassigned" />
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={UNASSIGNED}>Unassigned</SelectItem>
          {members.map((m) => (
            <SelectItem key={m.id} value={m.id}>
              <span className="flex items-center gap-2">
                <PresenceDot userId={m.userId} />
                {label(m)}
              </span>
            </SelectItem>
          ))}
          {conversation.assigneeId && !members.some((m) => m.id === conversation.assigneeId) && (
            <SelectItem value={conversation.assigneeId}>Former member</SelectItem>
          )}
        </SelectContent>
      </Select>
    </div>
  );
}
