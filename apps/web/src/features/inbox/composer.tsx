"use client";

import { type ConversationDto, type InboxOptions, replyBlockedReason } from "@tandem/contracts";
import { Bot, Lock, SendHorizontal, Sparkles, TriangleAlert, X } from "lucide-react";
import { type DragEvent, type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import { toast } from "sonner";
import { Button } from "@/components/ui/button";
import { Switch } from "@/components/ui/switch";
import { useHealth, useMe } from "@/features/auth/queries";
import { CHANNEL_TYPE_LABELS } from "@/features/settings/channels/channel-icon";
import { errorMessage, isApiError } from "@/lib/api";
import { cn } from "@/lib/utils";
import { AttachButton } from "./attach-button";
import { acceptFor, attachBlockedReason, describeLimits } from "./attachment-check";
import { AttachmentChip } from "./attachment-chip";
import { useCannedPicker } from "./canned-response-picker";
import { useMentionPicker } from "./mention-picker";
import { mentionsIn } from "./mentions";
import { useDraftReply, useSendMessage } from "./queries";
import { signalTyping } from "./realtime";
import { useAttachmentUploads } from "./use-attachment-uploads";
import { useNow } from "./use-now";

type Mode = "reply" | "note";

/** Drafts survive switching conversations (per conversation, for this browser tab). */
const drafts = new Map<string, string>();

/**
 * Reply to the customer, write an internal note, or let the bot write the next reply ("Reply as
 * bot"). Enter sends, Shift+Enter starts a new line. When the channel's messaging window forbids a
 * reply, the composer says why and does not offer to send. The paperclip (or a drop, or a pasted
 * image) attaches files to a reply, checked against the channel's rules and uploaded at once.
 */
export function Composer({ conversation }: { conversation: ConversationDto }) {
  const id = conversation.id;
  const [mode, setMode] = useState<Mode>("reply");
  const [asBot, setAsBot] = useState(false);
  const [text, setText] = useState(() => drafts.get(id) ?? "");
  // The AI draft the text started from, sent along so the reply records it (the server keeps the draft).
  const [draftId, setDraftId] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const send = useSendMessage(id);
  const draft = useDraftReply(id);
  const now = useNow(30_000);
  const textareaRef = useRef<HTMLTextAreaElement>(null);
  const botSwitchId = useId();
  const hintId = useId();
  const me = useMe();
  const health = useHealth();
  const target = {
    channelLabel: conversation.channel ? CHANNEL_TYPE_LABELS[conversation.channel.type] : "This conversation",
    attachments: conversation.channel?.attachments,
  };
  const uploads = useAttachmentUploads(id, target);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    if (text) drafts.set(id, text);
    else drafts.delete(id);
  }, [id, text]);

  const note = mode === "note";
  const bot = !note && asBot;
  const blocked = note ? null : replyBlockedReason(conversation, bot ? "BOT" : "AGENT", now);
  const attachBlocked = attachBlockedReason(target, { note, bot, publicMedia: health.data?.publicMedia });
  // Files go with a reply only; a note or a bot reply leaves them in place for the next reply.
  const withFiles = !note && !bot && uploads.items.length > 0;
  const filesReady = !withFiles || (!uploads.uploading && !uploads.failed);
  const canSend =
    !blocked &&
    !send.isPending &&
    filesReady &&
    (bot || text.trim().length > 0 || (withFiles && uploads.ids.length > 0));
  const attach = (files: File[]) => (attachBlocked ? uploads.refuse(attachBlocked) : uploads.add(files));
  // Where the caret is, for the "/" and "@" pickers; kept by the textarea's change and select events.
  const [caret, setCaret] = useState(text.length);
  const [mentioned, setMentioned] = useState<InboxOptions["members"]>([]);
  const replace = (next: string, nextCaret: number) => {
    setText(next);
    setCaret(nextCaret);
    requestAnimationFrame(() => {
      const el = textareaRef.current;
      el?.focus();
      el?.setSelectionRange(nextCaret, nextCaret);
    });
  };
  const canned = useCannedPicker({
    text,
    caret,
    replace,
    contactName: conversation.contact?.kind === "user" ? conversation.contact.name : null,
    agentName: me.data?.user.name,
    disabled: bot,
  });
  const mention = useMentionPicker({
    text,
    caret,
    replace,
    onMention: (member) => setMentioned((list) => (list.some((m) => m.id === member.id) ? list : [...list, member])),
    disabled: !note,
  });
  // The two never open at once: the text before the caret ends in "/…" or in "@…".
  const picker = mention.open ? mention : canned;

  const submit = () => {
    if (!canSend) return;
    setError(null);
    const body = bot
      ? { sendAs: "BOT" as const, internal: false }
      : {
          ...(text.trim() ? { text: text.trim() } : {}),
          ...(withFiles ? { attachments: uploads.ids } : {}),
          sendAs: "AGENT" as const,
          internal: note,
          ...(draftId && !note ? { draftId } : {}),
          ...(note && mentionsIn(text, mentioned).length > 0 ? { mentions: mentionsIn(text, mentioned) } : {}),
        };
    signalTyping(id, false);
    send.mutate(body, {
      onSuccess: (result) => {
        if (bot) {
          // "Reply as bot" is for the next reply only.
          setAsBot(false);
          if ("queued" in result)
            toast.success("The bot is writing a reply", { description: "It appears in the thread in a moment." });
        } else {
          setText("");
          setDraftId(null);
          setMentioned([]);
          if (withFiles) uploads.clear();
        }
        textareaRef.current?.focus();
      },
      onError: (cause) => setError(errorMessage(cause)),
    });
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };
  const carriesFiles = (event: DragEvent) => event.dataTransfer.types.includes("Files");
  const onDragOver = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = attachBlocked ? "none" : "copy";
    setDragging(true);
  };
  const onDrop = (event: DragEvent) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    setDragging(false);
    attach([...event.dataTransfer.files]);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (picker.onKeyDown(event)) return;
    if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    submit();
  };

  const askForDraft = () =>
    draft.mutate(undefined, {
      onSuccess: ({ text: suggestion, draftId: newDraftId }) => {
        setMode("reply");
        setAsBot(false);
        setText(suggestion);
        setDraftId(newDraftId);
        requestAnimationFrame(() => textareaRef.current?.focus());
      },
      onError: (cause) => {
        if (isApiError(cause, 404) || isApiError(cause, 501)) {
          toast.error("Draft with AI is not available yet", {
            description: "This server does not offer AI drafts. Write the reply yourself or use “Reply as bot”.",
          });
        } else {
          toast.error("Could not draft a reply", { description: errorMessage(cause) });
        }
      },
    });

  const hint =
    withFiles && uploads.uploading
      ? "Uploading attachments…"
      : withFiles && uploads.failed
        ? "Remove the files that could not be uploaded to send"
        : conversation.autoBot && !note && !bot
          ? "Auto-bot pauses when you reply"
          : note
            ? "Enter to add · @ to mention · / for canned responses"
            : "Enter to send · Shift+Enter for a new line · / for canned responses";
  const placeholder = note
    ? "Write an internal note. Only your team sees it. Type @ to mention a teammate."
    : bot
      ? "The bot writes the next reply from the conversation and its knowledge."
      : `Reply to ${conversation.contact?.name ?? "the customer"}…`;

  return (
    <form onSubmit={onSubmit} className="shrink-0 border-t bg-background px-3 pt-2 pb-3 sm:px-4" aria-label="Composer">
      <div className="mb-2 flex flex-wrap items-center gap-x-3 gap-y-1">
        <fieldset className="flex rounded-md bg-muted p-0.5 text-xs">
          <legend className="sr-only">Message type</legend>
          {(["reply", "note"] as const).map((value) => (
            <button
              key={value}
              type="button"
              aria-pressed={mode === value}
              onClick={() => setMode(value)}
              className={cn(
                "flex h-6 items-center gap-1 whitespace-nowrap rounded px-2.5 font-medium text-muted-foreground outline-none max-lg:h-9",
                "hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50",
                "aria-pressed:bg-background aria-pressed:text-foreground aria-pressed:shadow-xs",
              )}
            >
              {value === "note" && <Lock className="size-3" aria-hidden="true" />}
              {value === "reply" ? "Reply" : "Internal note"}
            </button>
          ))}
        </fieldset>
        {!note && (
          <div className="flex items-center gap-2">
            <Switch id={botSwitchId} checked={asBot} onCheckedChange={setAsBot} />
            <label htmlFor={botSwitchId} className="flex items-center gap-1 whitespace-nowrap text-xs font-medium">
              <Bot className="size-3.5 text-primary" aria-hidden="true" />
              Reply as bot
            </label>
          </div>
        )}
      </div>

      {blocked && (
        <p
          id={hintId}
          role="status"
          className="mb-2 flex items-start gap-2 rounded-md bg-warning/10 px-3 py-2 text-xs text-foreground"
        >
          <TriangleAlert className="mt-px size-3.5 shrink-0 text-warning" aria-hidden="true" />
          {blocked}
        </p>
      )}

      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping files is a shortcut for the paperclip */}
      <div
        className={cn(
          "relative flex flex-col rounded-lg border bg-background shadow-xs transition-[border-color,box-shadow]",
          "focus-within:border-ring focus-within:ring-[3px] focus-within:ring-ring/50",
          note && "border-dashed border-warning/60 bg-warning/5",
          dragging && "border-primary ring-[3px] ring-primary/30",
        )}
        onDragOver={onDragOver}
        onDragLeave={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={onDrop}
      >
        {withFiles && (
          <ul aria-label="Attachments" className="flex flex-wrap gap-2 px-2 pt-2">
            {uploads.items.map((item) => (
              <AttachmentChip key={item.key} item={item} onRemove={() => uploads.remove(item.key)} />
            ))}
          </ul>
        )}
        <label htmlFor="composer" className="sr-only">
          {note ? "Internal note" : "Reply"}
        </label>
        {/* The textarea holds the focus; the wrapper is the combobox (ARIA 1.1: a combobox holding a
            textbox and its listbox), so the textarea stays the "Reply" textbox (token-picker.tsx). */}
        {/* biome-ignore lint/a11y/useFocusableInteractive: the textbox inside it takes the focus */}
        <div
          role="combobox"
          aria-expanded={picker.open}
          aria-haspopup="listbox"
          aria-label={note ? "Note with mentions and canned responses" : "Message with canned responses"}
        >
          {picker.popup}
          <textarea
            id="composer"
            ref={textareaRef}
            {...picker.textareaProps}
            onSelect={(event) => setCaret(event.currentTarget.selectionStart)}
            value={bot ? "" : text}
            onChange={(event) => {
              setText(event.target.value);
              setCaret(event.target.selectionStart);
              if (error) setError(null);
              signalTyping(id, event.target.value.trim() !== "", note);
            }}
            onBlur={() => signalTyping(id, false, note)}
            onPaste={(event) => {
              const files = [...event.clipboardData.files];
              if (files.length === 0) return;
              event.preventDefault();
              attach(files);
            }}
            onKeyDown={onKeyDown}
            disabled={bot}
            rows={2}
            maxLength={COMPOSER_MAX_LENGTH}
            placeholder={placeholder}
            aria-describedby={blocked ? hintId : undefined}
            className="field-sizing-content max-h-48 min-h-16 w-full resize-none bg-transparent px-3 pt-2.5 text-sm outline-none placeholder:text-muted-foreground disabled:cursor-not-allowed"
          />
        </div>
        <div className="flex items-center gap-1 px-2 pb-2">
          <AttachButton
            limits={describeLimits(target)}
            blockedReason={attachBlocked}
            accept={acceptFor(target.attachments)}
            multiple={(target.attachments?.maxFiles ?? 0) > 1}
            onFiles={attach}
            onBlocked={uploads.refuse}
          />
          {!note && (
            <Button variant="ghost" size="sm" className="text-xs" disabled={draft.isPending} onClick={askForDraft}>
              <Sparkles aria-hidden="true" className={cn(draft.isPending && "animate-pulse")} />
              {draft.isPending ? "Drafting…" : "Draft with AI"}
            </Button>
          )}
          <span className="ml-auto min-w-0 truncate text-[11px] text-muted-foreground max-sm:hidden" title={hint}>
            {hint}
          </span>
          <Button
            type="submit"
            size="sm"
            disabled={!canSend}
            variant={note ? "outline" : "default"}
            className="max-sm:ml-auto"
          >
            {bot ? (
              <Bot aria-hidden="true" />
            ) : note ? (
              <Lock aria-hidden="true" />
            ) : (
              <SendHorizontal aria-hidden="true" />
            )}
            {send.isPending
              ? bot
                ? "The bot is writing…"
                : "Sending…"
              : bot
                ? "Ask the bot"
                : note
                  ? "Add note"
                  : "Send"}
          </Button>
        </div>
      </div>
      <LengthHint length={bot ? 0 : text.length} channel={note ? null : conversation.channel} />
      {uploads.refusals.length > 0 && (
        <div role="alert" className="mt-2 flex items-start gap-2 rounded-md bg-destructive/10 px-3 py-2 text-xs">
          <ul className="min-w-0 flex-1 space-y-1 text-destructive" data-testid="attachment-refusals">
            {uploads.refusals.map((refusal) => (
              <li key={refusal} className="break-words">
                {refusal}
              </li>
            ))}
          </ul>
          <Button
            variant="ghost"
            size="icon-sm"
            className="-my-1 size-6 shrink-0 text-muted-foreground"
            aria-label="Dismiss"
            onClick={uploads.dismissRefusals}
          >
            <X aria-hidden="true" />
          </Button>
        </div>
      )}
      {error && (
        <p role="alert" className="mt-2 text-xs text-destructive">
          {error}
        </p>
      )}
    </form>
  );
}

/** The longest reply or note the API takes (`SendMessageInput.text`). */
const COMPOSER_MAX_LENGTH = 10_000;
/** The counter appears from here on. */
const COUNTER_FROM = 8_000;

/**
 * Under the composer: a counter near the limit, and — for a reply longer than its channel takes in one
 * message — how many messages the customer will receive (the adapter splits at sentence and word
 * boundaries, so the count is a close estimate).
 */
function LengthHint({ length, channel }: { length: number; channel: ConversationDto["channel"] }) {
  const max = channel?.maxTextLength ?? null;
  const split = max !== null && length > max ? Math.ceil(length / max) : 0;
  if (length < COUNTER_FROM && split === 0) return null;
  return (
    <p className="mt-1.5 flex flex-wrap justify-between gap-x-3 text-[11px] text-muted-foreground" aria-live="polite">
      <span data-testid="composer-split">
        {split > 0 &&
          `${CHANNEL_TYPE_LABELS[channel!.type]} takes ${max!.toLocaleString("en")} characters a message: this reply goes out as about ${split} messages.`}
      </span>
      {length >= COUNTER_FROM && (
        <span
          data-testid="composer-counter"
          className={cn("tabular-nums", length >= COMPOSER_MAX_LENGTH && "text-destructive")}
        >
          {length.toLocaleString("en")} / {COMPOSER_MAX_LENGTH.toLocaleString("en")}
        </span>
      )}
    </p>
  );
}
