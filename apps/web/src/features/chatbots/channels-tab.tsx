"use client";

import type { ChatbotDto } from "@tandem/contracts";
import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card";

const TYPE_LABELS: Record<string, string> = {
  messenger: "Messenger",
  line: "LINE",
  web: "Website widget",
  api: "API",
};

/** The connected channels that name this chatbot. */
export function ChannelsTab({ chatbot }: { chatbot: ChatbotDto }) {
  return (
    <Card>
      <CardHeader>
        <CardTitle>Channels</CardTitle>
        <CardDescription>
          Customers writing to these channels get this chatbot&apos;s answers. Connect channels and choose their chatbot
          in{" "}
          <Link href="/settings/channels" className="text-primary underline-offset-4 hover:underline">
            Settings → Channels
          </Link>
          .
        </CardDescription>
      </CardHeader>
      <CardContent>
        {chatbot.channels.length === 0 ? (
          <p className="text-sm text-muted-foreground">No channel names this chatbot yet.</p>
        ) : (
          <ul className="flex flex-col gap-2" aria-label="Channels of this chatbot" data-testid="chatbot-channels">
            {chatbot.channels.map((channel) => (
              <li key={channel.id} className="flex flex-wrap items-center gap-2 rounded-md border px-3 py-2 text-sm">
                <span className="font-medium">{channel.name}</span>
                <Badge variant="outline">{TYPE_LABELS[channel.type] ?? channel.type}</Badge>
                <Badge variant={channel.status === "active" ? "accent" : "secondary"}>{channel.status}</Badge>
              </li>
            ))}
          </ul>
        )}
      </CardContent>
    </Card>
  );
}
