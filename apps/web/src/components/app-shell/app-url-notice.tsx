"use client";

import { TriangleAlert, X } from "lucide-react";
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
import { can } from "@/features/auth/permissions";
import { useHealth, useMe } from "@/features/auth/queries";

const DISMISSED_KEY = "tandem:app-url-notice-dismissed";

/**
 * For the people who send invitations and connect channels: a warning when this page is not at
 * `APP_URL`. Invitation and reset links, Facebook Login's return address and the widget snippet all
 * use `APP_URL`, so from another address (a LAN IP, a second domain) they would lead elsewhere.
 * Dismissed for the rest of the browser session.
 */
export function AppUrlNotice() {
  const me = useMe();
  const health = useHealth();
  const [here, setHere] = useState<string | null>(null);
  const [dismissed, setDismissed] = useState(true);
  useEffect(() => {
    setHere(window.location.origin);
    setDismissed(window.sessionStorage.getItem(DISMISSED_KEY) === "1");
  }, []);
  const manager = can(me.data, "members.manage") || can(me.data, "channels.manage");
  const appUrl = health.data?.appUrl;
  if (!manager || !appUrl || !here || dismissed) return null;
  let configured: string;
  try {
    configured = new URL(appUrl).origin;
  } catch {
    return null;
  }
  if (configured === here) return null;
  return (
    <div
      role="status"
      className="flex items-start gap-2 border-b border-warning/40 bg-warning/10 px-4 py-2 text-xs text-foreground"
    >
      <TriangleAlert className="mt-0.5 size-3.5 shrink-0 text-warning" aria-hidden="true" />
      <p className="min-w-0 flex-1">
        You are using Tandem at <strong>{here}</strong>, but its <code>APP_URL</code> is <strong>{configured}</strong>.
        Invitation and password-reset links, Facebook Login and the widget snippet use <code>APP_URL</code>: set it to
        the address people reach Tandem at, or open Tandem at {configured}.
      </p>
      <Button
        variant="ghost"
        size="icon-sm"
        className="-my-1 shrink-0"
        aria-label="Dismiss the address warning"
        onClick={() => {
          window.sessionStorage.setItem(DISMISSED_KEY, "1");
          setDismissed(true);
        }}
      >
        <X aria-hidden="true" />
      </Button>
    </div>
  );
}
