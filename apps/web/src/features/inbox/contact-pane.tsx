import { UserRound } from "lucide-react";
import { EmptyState } from "@/components/empty-state";

export function ContactPane() {
  return (
    <aside aria-labelledby="contact-heading" className="flex w-72 shrink-0 flex-col border-l bg-background">
      <header className="flex h-14 shrink-0 items-center border-b px-4">
        <h2 id="contact-heading" className="text-sm font-semibold">
          Contact
        </h2>
      </header>
      <div className="flex min-h-0 flex-1 items-center justify-center overflow-y-auto">
        <EmptyState
          icon={UserRound}
          title="No contact selected"
          description="Profile, channel, tags, assignee and internal notes of the open conversation appear here."
        />
      </div>
    </aside>
  );
}
