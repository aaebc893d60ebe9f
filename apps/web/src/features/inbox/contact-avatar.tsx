import { CONTACT_ACTIVE_MS, type ConversationDto } from "@tandem/contracts";
import { Avatar, AvatarFallback, AvatarImage } from "@/components/ui/avatar";
import { initials } from "@/lib/format";
import { cn } from "@/lib/utils";
import { ChannelMark } from "./channel-mark";
import { contactName } from "./people";

/**
 * A website widget visitor: a widget of theirs is connected now (`contact.visitor.online`). Anyone
 * else: seen within the last five minutes (a message, a receipt).
 */
export function isActiveNow(conversation: Pick<ConversationDto, "contact">, now: number): boolean {
  const visitor = conversation.contact?.visitor;
  if (visitor) return visitor.online;
  const seen = conversation.contact?.lastSeenAt;
  return seen ? now - new Date(seen).getTime() < CONTACT_ACTIVE_MS : false;
}

/**
 * The customer's picture (or initials) with the channel's mark at one corner and, while the customer is
 * active (`now` given), a green dot at the other.
 */
export function ContactAvatar({
  conversation,
  size = "md",
  showChannel = true,
  now,
}: {
  conversation: Pick<ConversationDto, "contact" | "channel">;
  size?: "md" | "lg";
  showChannel?: boolean;
  now?: number;
}) {
  const name = contactName(conversation);
  const active = now !== undefined && isActiveNow(conversation, now);
  return (
    <span className="relative inline-flex shrink-0">
      {active && (
        <span
          role="img"
          aria-label="Active now"
          title="Active now"
          data-testid="contact-active"
          className="absolute -top-0.5 -right-0.5 z-10 size-3 rounded-full bg-success ring-2 ring-background"
        />
      )}
      <Avatar className={cn(size === "lg" ? "size-14" : "size-10")}>
        {conversation.contact?.pictureUrl && <AvatarImage src={conversation.contact.pictureUrl} alt="" />}
        <AvatarFallback className={cn(size === "lg" && "text-base")}>{initials(name)}</AvatarFallback>
      </Avatar>
      {showChannel && conversation.channel && (
        <ChannelMark type={conversation.channel.type} className="absolute -right-0.5 -bottom-0.5" />
      )}
    </span>
  );
}
