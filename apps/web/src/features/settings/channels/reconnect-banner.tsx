"use client";

import type { ChannelDto } from "@tandem/contracts";
import { KeyRound, RefreshCw } from "lucide-react";
import { Alert, AlertDescription, AlertTitle } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { startFacebookLogin } from "./oauth";

/**
 * Shown while any channel is `reconnect_needed` (Facebook answered error 190: the token expired, the
 * password changed, the app was removed from the Page…). Messages are not sent or received until then.
 */
export function ReconnectBanner({
  channels,
  onPasteToken,
}: {
  channels: ChannelDto[];
  onPasteToken: (channel: ChannelDto) => void;
}) {
  if (channels.length === 0) return null;
  const single = channels.length === 1 ? channels[0] : undefined;

  return (
    <Alert variant="warning" className="border-warning/50 px-5 py-4">
      <RefreshCw aria-hidden="true" />
      <AlertTitle className="text-base">
        {single ? `Reconnect needed: ${single.name}` : `${channels.length} Pages need to be reconnected`}
      </AlertTitle>
      <AlertDescription className="gap-3 text-foreground/80">
        <p>
          Facebook stopped accepting the access token, so messages from {single ? "this Page" : "these Pages"} are not
          received and replies cannot be sent. Log in with Facebook again (or paste a new Page token) to restore it.
        </p>
        <ul className="flex w-full flex-col gap-2">
          {channels.map((channel) => (
            <li
              key={channel.id}
              className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-warning/30 bg-background px-3 py-2"
            >
              <div className="flex min-w-0 flex-col">
                <span className="font-medium text-foreground">{channel.name}</span>
                <span className="text-xs text-muted-foreground">
                  {channel.statusReason ?? "Facebook rejected the Page access token."}
                </span>
              </div>
              <div className="flex shrink-0 gap-2">
                <Button size="sm" variant="outline" onClick={() => onPasteToken(channel)}>
                  <KeyRound aria-hidden="true" />
                  Paste a new token
                </Button>
                <Button size="sm" onClick={startFacebookLogin}>
                  <RefreshCw aria-hidden="true" />
                  Reconnect with Facebook
                </Button>
              </div>
            </li>
          ))}
        </ul>
      </AlertDescription>
    </Alert>
  );
}
