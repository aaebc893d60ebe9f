"use client";

import { BellRing } from "lucide-react";
import { useEffect, useId, useState } from "react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Switch } from "@/components/ui/switch";
import type { AlertKind } from "./alert-rules";
import { type NotificationAccess, notificationAccess, playChime, requestNotificationAccess } from "./desktop";
import { useAlertPreferences } from "./preferences";

const KIND_LABELS: Record<AlertKind, { label: string; hint: string }> = {
  newConversation: { label: "New conversations", hint: "A customer writes for the first time." },
  myConversation: {
    label: "Messages in my conversations",
    hint: "A customer writes in a conversation assigned to you.",
  },
  handoff: { label: "Handoffs", hint: "A conversation needs a human (the customer asked, or the bot handed over)." },
};

/** The alert preferences, opened from the user menu: which kinds, sound, and desktop notifications. */
export function AlertsDialog({
  userId,
  open,
  onOpenChange,
}: {
  userId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const [preferences, setPreferences] = useAlertPreferences(userId);
  const [access, setAccess] = useState<NotificationAccess>("default");
  const [asking, setAsking] = useState(false);
  useEffect(() => {
    if (open) setAccess(notificationAccess());
  }, [open]);

  const ask = async () => {
    setAsking(true);
    try {
      setAccess(await requestNotificationAccess());
    } finally {
      setAsking(false);
    }
  };

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Alerts</DialogTitle>
          <DialogDescription>
            While the inbox is open in a tab, Tandem alerts you about what you choose here. The tab's title always
            counts the conversations with unread messages. Saved for you in this browser.
          </DialogDescription>
        </DialogHeader>

        <section aria-labelledby="alerts-desktop" className="flex flex-col gap-2 rounded-lg border p-3">
          <h3 id="alerts-desktop" className="text-sm font-medium">
            Desktop notifications
          </h3>
          {access === "granted" ? (
            <p className="text-sm text-muted-foreground" role="status">
              On in this browser.
            </p>
          ) : access === "denied" ? (
            <p className="text-sm text-muted-foreground" role="status">
              Blocked in this browser. Allow notifications for this site in the browser's settings, then come back.
            </p>
          ) : access === "unsupported" ? (
            <p className="text-sm text-muted-foreground" role="status">
              This browser cannot show notifications; the title count and the sound still alert you.
            </p>
          ) : (
            <div className="flex flex-wrap items-center justify-between gap-2">
              <p className="text-sm text-muted-foreground">The browser asks you once.</p>
              <Button size="sm" onClick={ask} disabled={asking}>
                <BellRing aria-hidden="true" />
                Allow desktop notifications
              </Button>
            </div>
          )}
        </section>

        <fieldset className="flex flex-col gap-3">
          <legend className="mb-2 text-sm font-medium">Alert me about</legend>
          {(Object.keys(KIND_LABELS) as AlertKind[]).map((kind) => (
            <PreferenceSwitch
              key={kind}
              label={KIND_LABELS[kind].label}
              hint={KIND_LABELS[kind].hint}
              checked={preferences.kinds[kind]}
              onChange={(on) => setPreferences({ ...preferences, kinds: { ...preferences.kinds, [kind]: on } })}
            />
          ))}
          <PreferenceSwitch
            label="Play a sound"
            hint="A short chime with each of these alerts."
            checked={preferences.sound}
            onChange={(sound) => {
              setPreferences({ ...preferences, sound });
              // A sample, and browsers let a page play sound once the person has clicked to allow it.
              if (sound) playChime();
            }}
          />
        </fieldset>
      </DialogContent>
    </Dialog>
  );
}

function PreferenceSwitch({
  label,
  hint,
  checked,
  onChange,
}: {
  label: string;
  hint: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  const id = useId();
  const hintId = useId();
  return (
    <div className="flex items-start justify-between gap-4">
      <div className="flex flex-col gap-0.5">
        <label htmlFor={id} className="text-sm">
          {label}
        </label>
        <p id={hintId} className="text-xs text-muted-foreground">
          {hint}
        </p>
      </div>
      <Switch id={id} checked={checked} onCheckedChange={onChange} aria-describedby={hintId} className="mt-0.5" />
    </div>
  );
}
