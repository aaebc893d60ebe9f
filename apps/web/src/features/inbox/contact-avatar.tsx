import type { ConversationDto } from "@tandem/contracts";
import { Avatar, AvatarFallback, AvatarImage } from "@/components/ui/avatar";
import { initials } from "@/lib/format";
import { cn } from "@/lib/utils";
import { ChannelMark } from "./channel-mark";
import { contactName } from "./people";

/** The customer's picture (or initials) with the channel's mark at the corner. */
export function ContactAvatar({
  conversation,
  size = "md",
  showChannel = true,
}: {
  conversation: Pick<ConversationDto, "contact" | "channel">;
  size?: "md" | "lg";
  showChannel?: boolean;
}) {
  const name = contactName(conversation);
  return (
    <span className="relative inline-flex shrink-0">
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
